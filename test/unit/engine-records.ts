/** Records for engine unit tests: one valid event of a type at a time, on a partition, with overrides. */
import type { SourceRecord } from '../../src/events/record.ts';
import { topicOfEventType, type EventType } from '../../src/events/topics.ts';
import { wireValue } from '../fixtures/valid-events.ts';

export const T0_MS = Date.UTC(2025, 0, 6, 8);
export const MINUTE_MS = 60_000;

let nextId = 0;
const offsets = new Map<string, number>();

export function record(
  type: EventType,
  timeMs: number,
  overrides: Record<string, unknown> = {},
  partition = 0,
): SourceRecord {
  const topic = topicOfEventType(type);
  const user = (overrides.user_id as string | undefined) ?? 'u-1';
  const streamId = `${topic}|${partition}`;
  const offset = offsets.get(streamId) ?? 0;
  offsets.set(streamId, offset + 1);
  const value = wireValue(type, {
    event_id: `e-${nextId++}`,
    event_time: new Date(timeMs).toISOString(),
    ...overrides,
  });
  return { topic, partition, offset, timestamp: timeMs, key: user, value };
}
