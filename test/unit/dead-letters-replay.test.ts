import { describe, expect, it } from 'vitest';
import { deadLetterLine, type DeadLetter } from '../../src/processor/io/dead-letter.ts';
import {
  dryRunLine,
  planReplay,
  replayDeadLetters,
  replaySummary,
  type ConnectProducer,
} from '../../src/processor/query/dead-letter-replay.ts';
import type { ProducedRecord } from '../../src/stack/record-producer.ts';
import { kafkaEndpointOf } from '../../src/stack/record-producer.ts';

const JAN6 = Date.parse('2025-01-06T08:00:00Z');
const NOT_UTF8 = Buffer.from([0x7b, 0xfe, 0x00, 0xff]);

const letter = (offset: number, fields: Partial<DeadLetter> = {}): DeadLetter => ({
  topic: 'lms.auth',
  partition: 2,
  offset,
  timestamp: JAN6,
  reason: 'invalid',
  message: `bad at ${offset}`,
  key: 'u-1',
  value: `{"event_id":"e${offset}"}`,
  ...fields,
});

/** A producer that keeps what it is sent; `failAt` makes the n-th send (0-based) fail. */
function fakeKafka(failAt = -1) {
  const sends: ProducedRecord[][] = [];
  const connected: string[][] = [];
  let closed = 0;
  const connect: ConnectProducer = (_kafka, topics) => {
    connected.push([...topics]);
    return Promise.resolve({
      send: (records) => {
        if (sends.length === failAt) return Promise.reject(new Error('broker says no'));
        sends.push([...records]);
        return Promise.resolve();
      },
      close: () => {
        closed++;
        return Promise.resolve();
      },
    });
  };
  return { connect, sends, connected, closed: () => closed };
}

const request = { dryRun: false, kafka: {} };

describe('planning a replay', () => {
  it('produces the original bytes: text as its UTF-8, stored base64 as the bytes, with headers naming the origin', () => {
    const plan = planReplay([letter(5), letter(6, { key: Buffer.from([0xff]), value: NOT_UTF8 })]);

    expect(plan.items.map(({ record }) => record)).toEqual([
      {
        topic: 'lms.auth',
        key: Buffer.from('u-1'),
        value: Buffer.from('{"event_id":"e5"}'),
        headers: { 'speed-layer-replay-of': 'lms.auth/2/5', 'speed-layer-replay-reason': 'invalid' },
      },
      {
        topic: 'lms.auth',
        key: Buffer.from([0xff]),
        value: NOT_UTF8,
        headers: { 'speed-layer-replay-of': 'lms.auth/2/6', 'speed-layer-replay-reason': 'invalid' },
      },
    ]);
  });

  it('skips and counts tombstones unless they are included, then produces a null value', () => {
    const letters = [letter(1, { value: null }), letter(2)];

    const skipping = planReplay(letters);
    const including = planReplay(letters, { includeTombstones: true });

    expect(skipping.items.map(({ letter }) => letter.offset)).toEqual([2]);
    expect(skipping.skipped).toEqual({ tombstone: 1, 'no topic': 0 });
    expect(including.items[0]!.record.value).toBeNull();
    expect(including.skipped.tombstone).toBe(0);
  });

  it('sends to --to-topic, or to the record topic behind the topic prefix, and marks fixed records', () => {
    const prefixed = planReplay([letter(1)], { topicPrefix: 't1.', fixed: true });
    const redirected = planReplay([letter(1)], { topicPrefix: 't1.', toTopic: 'quarantine' });

    expect(prefixed.items[0]!.record.topic).toBe('t1.lms.auth');
    expect(prefixed.items[0]!.record.headers['speed-layer-replay-fixed']).toBe('true');
    expect(redirected.items[0]!.record.topic).toBe('quarantine');
    expect(redirected.items[0]!.record.headers).not.toHaveProperty('speed-layer-replay-fixed');
  });

  it('skips an HTTP edge letter without a topic unless --to-topic names one; its origin has no position', () => {
    const edge = letter(0, { topic: null, partition: null, offset: null } as unknown as Partial<DeadLetter>);

    expect(planReplay([edge]).skipped['no topic']).toBe(1);
    expect(planReplay([edge], { toTopic: 'x' }).items[0]!.record.headers['speed-layer-replay-of']).toBe(
      'null/-/-',
    );
  });

  it('summarises per topic and reason, and the dry-run line is the stored line with target and headers', () => {
    const plan = planReplay([letter(1), letter(2, { reason: 'late' }), letter(3, { value: null })], {
      topicPrefix: 'p.',
    });

    expect(replaySummary(plan, false)).toEqual([
      'dead-letters replay --dry-run: would produce 2 records; nothing was produced',
      '  lms.auth → p.lms.auth: 2 (invalid 1, late 1)',
      '  skipped 1 (tombstone 1, no topic 0)',
    ]);
    expect(replaySummary(plan, true)[0]).toBe('dead-letters replay: produced 2 records');
    expect(JSON.parse(dryRunLine(plan.items[0]!))).toEqual({
      to_topic: 'p.lms.auth',
      headers: { 'speed-layer-replay-of': 'lms.auth/2/1', 'speed-layer-replay-reason': 'invalid' },
      ...(JSON.parse(deadLetterLine(letter(1))) as object),
    });
  });
});

describe('running a replay', () => {
  it('connects to nothing on a dry run', async () => {
    const kafka = fakeKafka();

    const plan = await replayDeadLetters([letter(1)], { ...request, dryRun: true }, kafka.connect);

    expect(plan.items).toHaveLength(1);
    expect(kafka.connected).toEqual([]);
  });

  it('produces every record in order, in chunks of at most 500, to the topics it checked, then closes', async () => {
    const kafka = fakeKafka();
    const letters = Array.from({ length: 1201 }, (_, offset) => letter(offset));

    await replayDeadLetters(letters, { ...request, topicPrefix: 'p.' }, kafka.connect);

    expect(kafka.connected).toEqual([['p.lms.auth']]);
    expect(kafka.sends.map((batch) => batch.length)).toEqual([500, 500, 201]);
    expect(kafka.sends.flat().map((record) => record.headers['speed-layer-replay-of'])).toEqual(
      letters.map(({ offset }) => `lms.auth/2/${offset}`),
    );
    expect(kafka.closed()).toBe(1);
  });

  it('says how many records were produced before Kafka failed, and still closes the producer', async () => {
    const kafka = fakeKafka(1);
    const letters = Array.from({ length: 700 }, (_, offset) => letter(offset));

    const failure = replayDeadLetters(letters, request, kafka.connect);

    await expect(failure).rejects.toThrow(
      'Kafka failed after 500 of 700 records were produced: broker says no',
    );
    expect(kafka.closed()).toBe(1);
  });

  it('connects to nothing when every selected record is skipped', async () => {
    const kafka = fakeKafka();

    await replayDeadLetters([letter(1, { value: null })], request, kafka.connect);

    expect(kafka.connected).toEqual([]);
  });
});

describe('the Kafka a replay produces to', () => {
  it('is the one the settings name, else a running stack, else an error naming what to set', () => {
    const stack = { brokers: ['127.0.0.1:9999'] };

    expect(kafkaEndpointOf({ kafkaBrokers: ['k1:9092', 'k2:9092'] }, () => stack)).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
    });
    expect(kafkaEndpointOf({}, () => stack)).toBe(stack);
    expect(() => kafkaEndpointOf({}, () => undefined)).toThrow(/set KAFKA_BROKERS/);
    expect(() => kafkaEndpointOf({ kafkaBrokers: ['no-port'] }, () => stack)).toThrow(
      /KAFKA_BROKERS must be host:port/,
    );
  });
});
