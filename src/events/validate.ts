/**
 * The validator of docs/contract/events.md. Bad input is data, not an exception: every call returns either the typed
 * event (with `event_time` converted to epoch ms, in place) or an error naming the field path and the
 * rule it broke. Hot path: one JSON.parse, one compiled schema check, no other allocation when valid.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseEventTime } from './event-time.ts';
import { eventSchema } from './schemas.ts';
import { MAX_VALUE_BYTES, TOPIC_EVENT_TYPES, type EventType, type Topic } from './topics.ts';
import type { RecordBytes } from './record.ts';
import type { LmsEvent } from './types.ts';
import { describeInvalidUtf8, firstInvalidUtf8Offset } from './utf8.ts';

export interface ValidationError {
  /** Where the problem is: a field path such as `fields[2]`, or `(value)` / `(key)` for the record itself. */
  path: string;
  /** The rule that failed, e.g. `utf8`, `tombstone`, `json`, `required`, `type`, `maxLength`, `calendar-time`, `key-equals-user_id`. */
  rule: string;
  /** One line for people: path, rule and the offending value. */
  message: string;
}

export type Validation = { ok: true; event: LmsEvent } | { ok: false; error: ValidationError };

// `unicode: false` makes maxLength count UTF-16 code units, as docs/contract/events.md asks. Ajv calls the option
// deprecated and says so on stderr; the logger is silenced for that reason (schemas are static and tested).
const ajv = new Ajv({ unicode: false, strictNumbers: true, allErrors: false, strict: true, logger: false });

/** topic → event type → compiled schema; only the types of a topic are valid on it. */
const validators = new Map<string, Map<string, ValidateFunction>>(
  Object.entries(TOPIC_EVENT_TYPES).map(([topic, types]) => [
    topic,
    new Map(types.map((type: EventType) => [type, ajv.compile(eventSchema(type))])),
  ]),
);

function fail(path: string, rule: string, detail: string): Validation {
  return { ok: false, error: { path, rule, message: `${path}: ${detail}` } };
}

function preview(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function fromAjv(error: ErrorObject, event: Record<string, unknown>): Validation {
  if (error.keyword === 'required') {
    const field = String(error.params.missingProperty);
    return fail(field, 'required', 'is required');
  }
  const path = error.instancePath
    .slice(1)
    .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
    .replaceAll('/', '.');
  const field = path.split(/[.[]/)[0]!;
  const allowed = error.keyword === 'enum' ? ` (${(error.params.allowedValues as string[]).join(', ')})` : '';
  const number = error.keyword === 'type' && typeof event[field] === 'number' ? ' and finite' : '';
  return fail(path, error.keyword, `${error.message}${number}${allowed}, got ${preview(event[field])}`);
}

/**
 * Validates an event that is already parsed. `key` is the record's message key; pass `undefined` when
 * there is none to compare (an HTTP body), `null` for a record whose key is null (invalid).
 */
export function validateEvent(topic: Topic, key: string | null | undefined, parsed: unknown): Validation {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail(
      '(value)',
      'object',
      `must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : preview(parsed)}`,
    );
  }
  const event = parsed as Record<string, unknown>;
  const type = event.event_type;
  if (type === undefined || type === null) return fail('event_type', 'required', 'is required');
  if (typeof type !== 'string') return fail('event_type', 'type', `must be string, got ${preview(type)}`);
  const check = validators.get(topic)!.get(type);
  if (check === undefined) {
    return fail('event_type', 'event-type', `unknown event type ${preview(type)} for topic ${topic}`);
  }
  if (!check(event)) {
    return fromAjv(check.errors![0]!, event);
  }
  const eventTimeMs = parseEventTime(event.event_time as string);
  if (eventTimeMs < 0) {
    return fail(
      'event_time',
      'calendar-time',
      `must be a real UTC time YYYY-MM-DDTHH:MM:SS.sssZ from 1970 to 9999, got ${preview(event.event_time)}`,
    );
  }
  if (typeof event.max_score === 'number' && (event.score as number) > event.max_score) {
    return fail(
      'score',
      'score-at-most-max_score',
      `must be <= max_score ${event.max_score}, got ${event.score}`,
    );
  }
  if (key !== undefined && key !== event.user_id) {
    return fail(
      '(key)',
      'key-equals-user_id',
      `message key ${preview(key)} differs from user_id ${preview(event.user_id)}`,
    );
  }
  event.event_time = eventTimeMs;
  return { ok: true, event: event as unknown as LmsEvent };
}

/** UTF-8 size of a string without encoding it when its length already decides. */
function exceedsMaxBytes(value: string): boolean {
  if (value.length > MAX_VALUE_BYTES) return true; // every UTF-16 unit is at least one UTF-8 byte
  if (value.length * 3 <= MAX_VALUE_BYTES) return false; // every UTF-16 unit is at most three bytes
  return Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES;
}

/**
 * The text of bytes that a caller did not decode (readers hand over text whenever there is one), or
 * the rejection naming the first byte that is not UTF-8. Off the hot path.
 */
function decodeOrReject(path: string, bytes: Uint8Array): string | Validation {
  const at = firstInvalidUtf8Offset(bytes);
  if (at >= 0) return fail(path, 'utf8', describeInvalidUtf8(bytes, at));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * Validates a record as it came off the wire: its value and key as text when they are UTF-8, else as
 * their bytes (invalid); a null value is a tombstone (invalid).
 */
export function validateValue(topic: Topic, key: RecordBytes | undefined, value: RecordBytes): Validation {
  if (value === null) return fail('(value)', 'tombstone', 'is null (a tombstone), not a JSON object');
  if (typeof value !== 'string') {
    const text = decodeOrReject('(value)', value);
    if (typeof text !== 'string') return text;
    value = text;
  }
  if (key instanceof Uint8Array) {
    const text = decodeOrReject('(key)', key);
    if (typeof text !== 'string') return text;
    key = text;
  }
  if (exceedsMaxBytes(value)) {
    return fail(
      '(value)',
      'max-size',
      `is ${Buffer.byteLength(value, 'utf8')} bytes, over the ${MAX_VALUE_BYTES}-byte limit`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return fail('(value)', 'json', `is not JSON (${(error as Error).message})`);
  }
  return validateEvent(topic, key, parsed);
}
