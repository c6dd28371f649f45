/**
 * Random record streams for the engine laws: any mix of topics and event types, 1–6 partitions, users
 * fixed to partitions by key, a small id space so windows, sessions and joins collide, disorder up to
 * 10 min, and injected late, duplicate, invalid, future and unknown-topic records.
 */
import fc from 'fast-check';
import type { SourceRecord } from '../../src/events/record.ts';
import { topicOfEventType, type EventType } from '../../src/events/topics.ts';
import { ALL_EVENT_TYPES, wireEvent } from '../fixtures/valid-events.ts';

const START_MS = Date.UTC(2025, 0, 6, 8);
const USERS = 8;
const CHANNELS = ['email', 'push', 'in_app'];
const MATERIAL_TYPES = ['page', 'pdf', 'slides', 'quiz_page'];
type Fault = 'none' | 'late' | 'duplicate' | 'invalid' | 'future' | 'unknown-topic';

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
    let value = JSON.stringify(event);
    let key: string | null = user;
    const earlier = sentValues.get(`${topic}|${user}`) ?? [];
    if (draft.fault === 'duplicate' && earlier.length > 0)
      value = earlier[draft.amount % earlier.length]!.value;
    if (draft.fault === 'invalid') {
      if (draft.pick === 0) value = value.slice(0, -1);
      else if (draft.pick === 1) key = `u${(draft.user + partitions) % USERS}x`;
      else value = JSON.stringify({ ...event, event_time: 'yesterday' });
    }
    const streamId = `${topic}|${partition}`;
    const offset = offsets.get(streamId) ?? 0;
    offsets.set(streamId, offset + 1);
    const record: SourceRecord = { topic, partition, offset, timestamp: clockMs, key, value };
    records.push(record);
    sentValues.set(`${topic}|${user}`, [...earlier, record]);
  });
  return records;
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
