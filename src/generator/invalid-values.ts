/**
 * The `invalid` faults: a spread of the ways docs/contract/events.md says a record can be broken, each made from a
 * real event so the rest of the value looks normal. Every kind must fail `validateValue` (tested). Most
 * are text; `bad_utf8` is bytes that are not UTF-8 and `tombstone` a null value.
 */
import { schemaRequired } from './schema-required.ts';
import { MAX_VALUE_BYTES } from '../events/topics.ts';
import { eventValue, type LogicalEvent } from './logical-event.ts';
import type { Prng } from './prng.ts';

export const INVALID_KINDS = [
  'bad_json',
  'not_object',
  'missing_field',
  'wrong_type',
  'non_finite',
  'unknown_type',
  'bad_time',
  'key_mismatch',
  'score_over_max',
  'oversize',
  'bad_utf8',
  'tombstone',
] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

const NUMBER_FIELDS = ['position_s', 'watched_s', 'from_s', 'to_s', 'score', 'max_score', 'bytes'];
const BAD_TIMES = [
  '2025-02-30T08:00:00.000Z',
  '2025-01-06 08:00:00',
  '2025-01-06T08:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '',
];
const NON_FINITE_MARK = '"\u0000non-finite\u0000"';
const BYTES_MARK = '\u0000bytes\u0000';
/**
 * Ill-formed UTF-8: bytes UTF-8 never uses, a stray continuation byte, sequences cut short (by the
 * closing quote), an overlong `/`, a UTF-16 surrogate and a code point above U+10FFFF. A replacing
 * decoder turns each into U+FFFD, so ids differing only there would merge.
 */
const BAD_UTF8: readonly (readonly number[])[] = [
  [0xfe],
  [0xff],
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

/** Some kinds need a field the event may lack; those fall back to a kind every event supports. */
export function applicableKind(event: LogicalEvent, kind: InvalidKind): InvalidKind {
  if (kind === 'score_over_max') return event.body.includes('"max_score"') ? kind : 'missing_field';
  if (kind === 'non_finite')
    return NUMBER_FIELDS.some((field) => event.body.includes(`"${field}"`)) ? kind : 'wrong_type';
  return kind;
}

/** The event's value with ill-formed UTF-8 appended to its course_id (or event_id when it has none). */
function badUtf8Value(fields: Record<string, unknown>, rng: Prng): Buffer {
  const field = typeof fields.course_id === 'string' ? 'course_id' : 'event_id';
  const text = fields[field] as string;
  fields[field] = BYTES_MARK;
  const [before, after] = JSON.stringify(fields).split(JSON.stringify(BYTES_MARK)) as [string, string];
  return Buffer.concat([
    Buffer.from(`${before}"${text}`, 'utf8'),
    Buffer.from(rng.pick(BAD_UTF8)),
    Buffer.from(`"${after}`, 'utf8'),
  ]);
}

/** The broken value for `event`; `kind` must come from `applicableKind`. */
export function invalidValue(event: LogicalEvent, kind: InvalidKind, rng: Prng): string | Buffer | null {
  const value = eventValue(event);
  if (kind === 'bad_json') return value.slice(0, 1 + rng.int(value.length - 1));
  if (kind === 'tombstone') return null;
  const fields = JSON.parse(value) as Record<string, unknown>;
  switch (kind) {
    case 'bad_utf8':
      return badUtf8Value(fields, rng);
    case 'not_object':
      return JSON.stringify(rng.chance(0.5) ? [fields] : event.eventId);
    case 'missing_field':
      delete fields[rng.pick(schemaRequired(event.eventType))];
      break;
    case 'wrong_type':
      fields.event_id = rng.int(1_000_000);
      break;
    case 'non_finite': {
      const field = NUMBER_FIELDS.find((name) => name in fields)!;
      fields[field] = NON_FINITE_MARK;
      return JSON.stringify(fields).replace(JSON.stringify(NON_FINITE_MARK), '1e999');
    }
    case 'unknown_type':
      fields.event_type = rng.chance(0.5) ? `${event.eventType}_v2` : 'page_scrolled';
      break;
    case 'bad_time':
      fields.event_time = rng.pick(BAD_TIMES);
      break;
    case 'key_mismatch':
      fields.user_id = `${event.userId}-impostor`;
      break;
    case 'score_over_max':
      fields.score = (fields.max_score as number) + 1 + rng.int(10);
      break;
    case 'oversize':
      fields.attachment = 'x'.repeat(MAX_VALUE_BYTES);
      break;
  }
  return JSON.stringify(fields);
}
