/** An event as the simulation emits it, before disorder and faults turn it into a record. */
import { formatEventTime } from '../events/event-time.ts';
import type { EventType, Topic } from '../events/topics.ts';

export interface LogicalEvent {
  topic: Topic;
  eventType: EventType;
  /** Also the record key. */
  userId: string;
  /** The key's partition (Kafka's default partitioner). */
  partition: number;
  eventTimeMs: number;
  eventId: string;
  /** The type-specific JSON members, each preceded by a comma (e.g. `,"course_id":"c-1"`); no envelope. */
  body: string;
}

let cachedMinuteMs = NaN;
let cachedMinutePrefix = '';

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * `formatEventTime`, but reusing the `YYYY-MM-DDTHH:MM:` prefix of the previous call's minute:
 * consecutive events mostly share it, and Date formatting is a tenth of a run's time otherwise.
 */
export function isoTime(epochMs: number): string {
  const inMinuteMs = epochMs % 60_000;
  const minuteMs = epochMs - inMinuteMs;
  if (minuteMs !== cachedMinuteMs) {
    cachedMinuteMs = minuteMs;
    cachedMinutePrefix = formatEventTime(minuteMs).slice(0, 17);
  }
  return `${cachedMinutePrefix}${pad(Math.floor(inMinuteMs / 1000), 2)}.${pad(inMinuteMs % 1000, 3)}Z`;
}

/** The record value (wire JSON). `eventTimeMs` overrides the event's own time (late and future faults). */
export function eventValue(event: LogicalEvent, eventTimeMs: number = event.eventTimeMs): string {
  return (
    `{"event_id":"${event.eventId}","event_type":"${event.eventType}","event_time":"${isoTime(eventTimeMs)}",` +
    `"user_id":"${event.userId}"${event.body}}`
  );
}
