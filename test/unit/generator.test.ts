import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  formatRecordLine,
  MAX_FUTURE_MS,
  parseRecordLine,
  TOPIC_EVENT_TYPES,
  TOPICS,
  isTopic,
  validateValue,
  type Topic,
} from '../../src/events/index.ts';
import { generateRecords, type GeneratedRecord } from '../../src/generator/generate-records.ts';
import { partitionOfKey } from '../../src/generator/kafka-partition.ts';
import { text } from '../fixtures/record-text.ts';

function validate(record: GeneratedRecord): ReturnType<typeof validateValue> {
  if (!isTopic(record.topic)) throw new Error(`not a contract topic: ${record.topic}`);
  return validateValue(record.topic, record.key, record.value);
}

describe('generateRecords without faults', () => {
  const records = [...generateRecords({ events: 4000, seed: 11 })];

  it('emits exactly the number of records asked for', () => {
    expect(records).toHaveLength(4000);
  });

  it('emits only events that validate against events.md with the record key', () => {
    const failures = records.map(validate).filter((result) => !result.ok);
    expect(failures).toEqual([]);
  });

  it('keys every record by the user_id of its event and puts it in the partition Kafka would pick', () => {
    for (const record of records) {
      expect((JSON.parse(text(record.value)) as { user_id: string }).user_id).toBe(record.key);
      expect(record.partition).toBe(partitionOfKey(record.key, 6));
    }
  });

  it('covers every event type of every topic within a few thousand events, for any seed', () => {
    for (const seed of [1, 2, 3, 99, 12345]) {
      const seen = new Map<Topic, Set<string>>(TOPICS.map((topic) => [topic, new Set()]));
      for (const record of generateRecords({ events: 3000, seed }))
        seen.get(record.topic as Topic)!.add(record.eventType);
      for (const topic of TOPICS)
        expect([...seen.get(topic)!].sort(), `seed ${seed}, ${topic}`).toEqual(
          [...TOPIC_EVENT_TYPES[topic]].sort(),
        );
    }
  });

  it('numbers offsets from 0 per (topic, partition) and never lets the timestamp go back', () => {
    const nextOffset = new Map<string, number>();
    let lastTimestamp = -Infinity;
    for (const record of records) {
      const slot = `${record.topic}/${record.partition}`;
      expect(record.offset).toBe(nextOffset.get(slot) ?? 0);
      nextOffset.set(slot, record.offset + 1);
      expect(record.timestamp).toBeGreaterThanOrEqual(lastTimestamp);
      lastTimestamp = record.timestamp;
    }
  });

  it('sends heartbeats with watched_s of about 10 s and grades some submissions more than 30 min later', () => {
    const heartbeats = records
      .filter((r) => r.eventType === 'video_heartbeat')
      .map((r) => JSON.parse(text(r.value)) as { watched_s: number });
    const full = heartbeats.filter((h) => h.watched_s === 10).length;
    expect(full / heartbeats.length).toBeGreaterThan(0.9);
    const long = [...generateRecords({ events: 60_000, seed: 5 })];
    const submittedAt = new Map<string, number>();
    const delaysMin: number[] = [];
    for (const record of long) {
      const event = JSON.parse(text(record.value)) as { submission_id?: string; event_time: string };
      if (record.eventType === 'assignment_submitted')
        submittedAt.set(event.submission_id!, Date.parse(event.event_time));
      if (record.eventType === 'assignment_graded' && submittedAt.has(event.submission_id!)) {
        delaysMin.push((Date.parse(event.event_time) - submittedAt.get(event.submission_id!)!) / 60_000);
      }
    }
    expect(delaysMin.some((d) => d > 30)).toBe(true);
    expect(delaysMin.some((d) => d < 30)).toBe(true);
    expect(delaysMin.length).toBeLessThan(submittedAt.size); // some never graded
  });

  it('emits only the topics asked for', () => {
    const topics = new Set(
      [...generateRecords({ events: 500, topics: ['lms.video', 'lms.auth'] })].map((r) => r.topic),
    );
    expect([...topics].sort()).toEqual(['lms.auth', 'lms.video']);
  });
});

describe('generateRecords with faults', () => {
  const records = [
    ...generateRecords({
      events: 20_000,
      seed: 3,
      disorderMs: 5000,
      faults: { late: 0.02, duplicate: 0.02, invalid: 0.1, future: 0.02 }, // enough invalid ones for the rare score_over_max
    }),
  ];

  it('makes every invalid fault fail validation and every other record pass it', () => {
    for (const record of records) {
      const verdict = validate(record);
      expect(verdict.ok, `${record.fault} ${record.invalidKind}: ${String(record.value).slice(0, 200)}`).toBe(
        record.fault !== 'invalid',
      );
    }
  });

  it('injects every kind of invalid value', () => {
    const kinds = new Set(records.map((r) => r.invalidKind).filter((kind) => kind !== null));
    expect([...kinds].sort()).toEqual(
      [
        'bad_json',
        'bad_time',
        'bad_utf8',
        'key_mismatch',
        'missing_field',
        'non_finite',
        'not_object',
        'oversize',
        'score_over_max',
        'tombstone',
        'unknown_type',
        'wrong_type',
      ].sort(),
    );
  });

  it('makes bad_utf8 values bytes that are not UTF-8 and tombstones null, both kept by a record file', () => {
    const bytes = records.filter((r) => r.invalidKind === 'bad_utf8');
    const tombstones = records.filter((r) => r.invalidKind === 'tombstone');
    expect(bytes.length).toBeGreaterThan(0);
    expect(tombstones.length).toBeGreaterThan(0);
    for (const record of bytes) {
      expect(Buffer.isBuffer(record.value) && !isUtf8(record.value), String(record.value)).toBe(true);
      expect(validate(record)).toMatchObject({ ok: false, error: { rule: 'utf8' } });
    }
    for (const record of tombstones) expect(record.value).toBeNull();
    for (const record of [...bytes, ...tombstones])
      expect(parseRecordLine(formatRecordLine(record), 1).value).toEqual(record.value);
  });

  it('stamps future faults more than 5 min after their record timestamp', () => {
    const future = records.filter((r) => r.fault === 'future');
    expect(future.length).toBeGreaterThan(0);
    for (const record of future) {
      expect(
        Date.parse((JSON.parse(text(record.value)) as { event_time: string }).event_time),
      ).toBeGreaterThan(record.timestamp + MAX_FUTURE_MS);
    }
  });

  it('stamps late faults behind the watermark of their partition (latest normal event time − 2 min)', () => {
    const maxTime = new Map<string, number>();
    let late = 0;
    for (const record of records) {
      const slot = `${record.topic}/${record.partition}`;
      if (record.fault === 'late') {
        late++;
        const eventTime = Date.parse((JSON.parse(text(record.value)) as { event_time: string }).event_time);
        expect(eventTime).toBeLessThan(maxTime.get(slot)! - 120_000);
      }
      if (record.fault === null) {
        const eventTime = Date.parse((JSON.parse(text(record.value)) as { event_time: string }).event_time);
        maxTime.set(slot, Math.max(maxTime.get(slot) ?? -Infinity, eventTime));
      }
    }
    expect(late).toBeGreaterThan(0);
  });

  it('re-sends duplicates with the value, key and partition of an earlier normal record', () => {
    const earlier = new Map<string, GeneratedRecord>();
    let duplicates = 0;
    for (const record of records) {
      if (record.fault === 'duplicate') {
        duplicates++;
        const original = earlier.get(text(record.value));
        expect(original).toBeDefined();
        expect([record.topic, record.partition, record.key]).toEqual([
          original!.topic,
          original!.partition,
          original!.key,
        ]);
      }
      if (record.fault === null) earlier.set(text(record.value), record);
    }
    expect(duplicates).toBeGreaterThan(0);
  });
});
