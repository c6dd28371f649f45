/**
 * One event of a request: which topic it belongs to (by its event_type), its key (user_id), and whether
 * docs/contract/events.md accepts it. The contract's own validator decides; this file only adds what an HTTP body
 * needs before a topic is known (the byte checks parse-body.ts made, object shape, event_type).
 */
import type { ValidationError } from '../events/validate.ts';
import { validateEvent } from '../events/validate.ts';
import { TOPIC_EVENT_TYPES, type Topic } from '../events/topics.ts';
import type { BodyItem } from './parse-body.ts';

export type Classified =
  | { ok: true; topic: Topic; key: string }
  | { ok: false; topic: Topic | null; key: string | null; error: ValidationError };

const TOPIC_OF_TYPE = new Map<string, Topic>(
  Object.entries(TOPIC_EVENT_TYPES).flatMap(([topic, types]) =>
    types.map((type): [string, Topic] => [type, topic as Topic]),
  ),
);

function invalid(
  path: string,
  rule: string,
  detail: string,
  topic: Topic | null = null,
  key: string | null = null,
): Classified {
  return { ok: false, topic, key, error: { path, rule, message: `${path}: ${detail}` } };
}

/** Validates one item. Mutates `item.parsed` (validateEvent converts event_time); its bytes are untouched. */
export function classifyEvent(item: BodyItem): Classified {
  if (item.unreadable !== undefined) return invalid('(value)', item.unreadable.rule, item.unreadable.detail);
  const parsed = item.parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const got = Array.isArray(parsed) ? 'an array' : item.bytes.toString('utf8').slice(0, 80);
    return invalid('(value)', 'object', `must be a JSON object, got ${got}`);
  }
  const event = parsed as Record<string, unknown>;
  const key = typeof event.user_id === 'string' ? event.user_id : null;
  const type = event.event_type;
  if (type === undefined || type === null) return invalid('event_type', 'required', 'is required', null, key);
  const topic = typeof type === 'string' ? TOPIC_OF_TYPE.get(type) : undefined;
  if (topic === undefined) {
    const got = JSON.stringify(type).slice(0, 80);
    return invalid('event_type', 'event-type', `unknown event type ${got}`, null, key);
  }
  const verdict = validateEvent(topic, undefined, event);
  if (!verdict.ok) return { ok: false, topic, key, error: verdict.error };
  return { ok: true, topic, key: key! }; // user_id is a required string once valid
}
