/** The required fields of each event type, read from the contract's schemas (for `missing_field` faults). */
import { eventSchema } from '../events/schemas.ts';
import type { EventType } from '../events/topics.ts';

const cache = new Map<EventType, readonly string[]>();

export function schemaRequired(type: EventType): readonly string[] {
  let required = cache.get(type);
  if (required === undefined) {
    required = (eventSchema(type).required as string[] | undefined) ?? [];
    cache.set(type, required);
  }
  return required;
}
