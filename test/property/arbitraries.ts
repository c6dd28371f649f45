/**
 * Random record streams for the engine laws: any mix of topics and event types, 1–6 partitions, users
 * fixed to partitions by key, a small id space so windows, sessions and joins collide, disorder up to
 * 10 min, and injected late, duplicate, invalid, future and unknown-topic records. `bytes` faults put
 * the decoders to work: ill-formed UTF-8 in an id or the key, a BOM, a tombstone, an empty value, and
 * well-formed non-ASCII bytes (valid). Their key or value is given as the bytes on the wire.
 */
import fc from 'fast-check';
import type { RecordBytes, SourceRecord } from '../../src/events/record.ts';
import { topicOfEventType, type EventType } from '../../src/events/topics.ts';
import { ALL_EVENT_TYPES, wireEvent } from '../fixtures/valid-events.ts';

const START_MS = Date.UTC(2025, 0, 6, 8);
const USERS = 8;
const CHANNELS = ['email', 'push', 'in_app'];
const MATERIAL_TYPES = ['page', 'pdf', 'slides', 'quiz_page'];
type Fault = 'none' | 'late' | 'duplicate' | 'invalid' | 'bytes' | 'future' | 'unknown-topic';

interface EventDraft {
  type: EventType;
  user: number;
  /** Advance of the ingestion clock before this record. */
  stepMs: number;
  /** How far the event time lies behind ingestion (disorder). */
  disorderMs: number;
  fault: Fault;
  /** Small choices for ids and numbers. */
  pick: number;
  amount: number;
}

const faultArbitrary: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('none' as const) },
  { weight: 2, arbitrary: fc.constant('late' as const) },
  { weight: 2, arbitrary: fc.constant('duplicate' as const) },
  { weight: 2, arbitrary: fc.constant('invalid' as const) },
  { weight: 2, arbitrary: fc.constant('bytes' as const) },
  { weight: 1, arbitrary: fc.constant('future' as const) },
  { weight: 1, arbitrary: fc.constant('unknown-topic' as const) },
);

const draftArbitrary: fc.Arbitrary<EventDraft> = fc.record({
  type: fc.constantFrom(...ALL_EVENT_TYPES),
  user: fc.nat(USERS - 1),
  // Coarse times (whole 5 s / 10 s steps) so that watermark, window and join-bound edges are hit exactly.
  stepMs: fc.oneof(fc.nat(4), fc.nat(36)).map((steps) => steps * 5_000),
  disorderMs: fc
    .oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat(60) })
    .map((steps) => steps * 10_000),
  fault: faultArbitrary,
  pick: fc.nat(2),
  amount: fc.nat(60),
});

export interface RecordStream {
  partitions: number;
  records: SourceRecord[];
}

/** Type-specific fields from the small id space (valid per docs/contract/events.md). */
function fieldsOf(draft: EventDraft): Record<string, unknown> {
  const { pick, amount } = draft;
  return {
    course_id: `c${pick}`,
    video_id: `v${(pick + amount) % 4}`,
    assessment_id: `a${pick}`,
    submission_id: `s${amount % 3}`,
    notification_id: `n${amount % 3}`,
    channel: CHANNELS[pick],
    material_id: `m${amount % 5}`,
    material_type: MATERIAL_TYPES[amount % 4],
    score: amount % 11,
    max_score: 10 + pick,
    watched_s: amount,
    bytes: amount * 1000,
    fields: ['a', 'b', 'c'].slice(0, pick + 1),
    ip: `10.0.0.${amount % 4}`,
  };
}

function buildRecords(partitions: number, drafts: readonly EventDraft[]): SourceRecord[] {
  const offsets = new Map<string, number>();
  const sentValues = new Map<string, SourceRecord[]>();
  const records: SourceRecord[] = [];
  let clockMs = START_MS;
  drafts.forEach((draft, index) => {
    clockMs += draft.stepMs;
    const user = `u${draft.user}`;
    const partition = draft.user % partitions;
    let topic: string = topicOfEventType(draft.type);
    let eventTimeMs = clockMs - draft.disorderMs;
    if (draft.fault === 'late') eventTimeMs = clockMs - 900_000 - draft.amount * 10_000;
    if (draft.fault === 'future') eventTimeMs = clockMs + 300_001 + draft.amount;
    if (draft.fault === 'unknown-topic') topic = 'lms.other';
    const event = wireEvent(draft.type, {
      ...pickOwnFields(draft.type, fieldsOf(draft)),
      event_id: `e${index}`,
      event_time: new Date(eventTimeMs).toISOString(),
      user_id: user,
    });
    const json = JSON.stringify(event);
    let value: RecordBytes = json;
    let key: RecordBytes = user;
    const earlier = sentValues.get(`${topic}|${user}`) ?? [];
    if (draft.fault === 'duplicate' && earlier.length > 0)
      value = earlier[draft.amount % earlier.length]!.value;
    if (draft.fault === 'invalid') {
      if (draft.pick === 0) value = json.slice(0, -1);
      else if (draft.pick === 1) key = `u${(draft.user + partitions) % USERS}x`;
      else value = JSON.stringify({ ...event, event_time: 'yesterday' });
    }
    if (draft.fault === 'bytes') ({ key, value } = onTheWire(draft, user, json));
    const streamId = `${topic}|${partition}`;
    const offset = offsets.get(streamId) ?? 0;
    offsets.set(streamId, offset + 1);
    const record: SourceRecord = { topic, partition, offset, timestamp: clockMs, key, value };
    records.push(record);
    sentValues.set(`${topic}|${user}`, [...earlier, record]);
  });
  return records;
}

/**
 * Ill-formed UTF-8 (a replacing decoder makes U+FFFD of each, merging ids that differ only there):
 * bytes UTF-8 never uses, a stray continuation byte, a cut sequence, an overlong, a surrogate.
 */
const BAD_UTF8 = [[0xfe], [0xff], [0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** `value` with `bytes` inserted at the end of its course_id (event_id when it has none). */
function spliced(value: string, bytes: readonly number[]): Buffer {
  const field = value.includes('"course_id":"') ? '"course_id":"' : '"event_id":"';
  const closingQuote = value.indexOf('"', value.indexOf(field) + field.length);
  return Buffer.concat([
    Buffer.from(value.slice(0, closingQuote)),
    Buffer.from(bytes),
    Buffer.from(value.slice(closingQuote)),
  ]);
}

/** The key and value of a `bytes` fault, as the bytes a producer sent. */
function onTheWire(draft: EventDraft, user: string, value: string): { key: RecordBytes; value: RecordBytes } {
  const bad = BAD_UTF8[draft.amount % BAD_UTF8.length]!;
  if (draft.pick === 0) return { key: user, value: spliced(value, bad) };
  if (draft.pick === 1) return { key: Buffer.concat([Buffer.from(user), Buffer.from(bad)]), value };
  const other = [
    Buffer.concat([Buffer.from(UTF8_BOM), Buffer.from(value)]), // JSON.parse refuses a BOM: invalid
    null, // a tombstone
    '',
    spliced(value, [...Buffer.from('é😀')]), // well-formed: valid
  ];
  return { key: user, value: other[draft.amount % other.length]! };
}

/** Only the fields the type has (extra ones would be valid but noisy). */
function pickOwnFields(type: EventType, fields: Record<string, unknown>): Record<string, unknown> {
  const own = wireEvent(type);
  return Object.fromEntries(Object.entries(fields).filter(([name]) => name in own));
}

export function recordStream(maxRecords = 120): fc.Arbitrary<RecordStream> {
  return fc
    .record({
      partitions: fc.integer({ min: 1, max: 6 }),
      drafts: fc.array(draftArbitrary, { maxLength: maxRecords, size: 'max' }),
    })
    .map(({ partitions, drafts }) => ({ partitions, records: buildRecords(partitions, drafts) }));
}

/** Batch sizes for a replay. */
export const batchSizeArbitrary = fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 8, max: 200 }));

/**
 * Another interleaving of the same per-(topic, partition) record order: `choices` decide, record by
 * record, which stream goes next.
 */
export function reinterleave(records: readonly SourceRecord[], choices: readonly number[]): SourceRecord[] {
  const streams = new Map<string, SourceRecord[]>();
  for (const record of records) {
    const id = `${record.topic}|${record.partition}`;
    const stream = streams.get(id);
    if (stream === undefined) streams.set(id, [record]);
    else stream.push(record);
  }
  const queues = [...streams.values()];
  const out: SourceRecord[] = [];
  let turn = 0;
  while (queues.length > 0) {
    const index = (choices[turn++ % Math.max(1, choices.length)] ?? 0) % queues.length;
    out.push(queues[index]!.shift()!);
    if (queues[index]!.length === 0) queues.splice(index, 1);
  }
  return out;
}
