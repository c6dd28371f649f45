import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { isRebalancing, toRecords } from '../../src/processor/runner/kafka-records.ts';
import { wireValue } from '../fixtures/valid-events.ts';

function bytes(data: string | Buffer | null): Buffer | null {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

function message(offset: number, key: string | Buffer | null, value: string | Buffer | null): KafkaMessage {
  return {
    offset: String(offset),
    timestamp: String(1_700_000_000_000 + offset),
    key: bytes(key),
    value: bytes(value),
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** A quiz_started of user u-1 whose course_id is the single byte `byte`, and that byte's offset. */
function quizWithCourseByte(byte: number): { value: Buffer; offset: number } {
  const [before, after] = wireValue('quiz_started', {
    event_time: new Date(1_700_000_000_000).toISOString(),
    course_id: 'MARK',
  }).split('MARK') as [string, string];
  return {
    value: Buffer.concat([Buffer.from(before), Buffer.from([byte]), Buffer.from(after)]),
    offset: Buffer.byteLength(before),
  };
}

describe('records from a kafkajs batch', () => {
  it('starts at the next offset, dropping what a fetch that raced a seek returned before it', () => {
    const messages = [message(8, 'u1', '{}'), message(9, 'u2', '{}'), message(10, 'u3', '{}')];

    const records = toRecords({ topic: 'lms.auth', partition: 4, nextOffset: 9 }, messages);

    expect(records.map((record) => record.offset)).toEqual([9, 10]);
  });

  it('keeps the contract topic, the broker timestamp and the key and value as UTF-8 text', () => {
    const records = toRecords({ topic: 'lms.video', partition: 1, nextOffset: 0 }, [
      message(0, 'élève', '{"a":"ü"}'),
      message(1, null, null),
    ]);

    expect(records).toEqual([
      {
        topic: 'lms.video',
        partition: 1,
        offset: 0,
        timestamp: 1_700_000_000_000,
        key: 'élève',
        value: '{"a":"ü"}',
      },
      { topic: 'lms.video', partition: 1, offset: 1, timestamp: 1_700_000_000_001, key: null, value: null },
    ]);
  });

  it('keeps a leading byte order mark in the text, as it was on the wire', () => {
    const [record] = toRecords({ topic: 'lms.auth', partition: 0, nextOffset: 0 }, [
      message(0, 'u-1', '\uFEFF{}'),
    ]);

    expect(record!.value).toBe('\uFEFF{}');
  });

  it('keeps a key and a value that are not UTF-8 as their bytes, copied out of the fetch buffer', () => {
    const fetched = Buffer.from([0x75, 0xff, 0x7b, 0xfe, 0x7d]);
    const [record] = toRecords({ topic: 'lms.auth', partition: 0, nextOffset: 0 }, [
      message(0, fetched.subarray(0, 2), fetched.subarray(2)),
    ]);
    fetched.fill(0);

    expect(record!.key).toEqual(Buffer.from([0x75, 0xff]));
    expect(record!.value).toEqual(Buffer.from([0x7b, 0xfe, 0x7d]));
  });

  it('lets the engine reject two course ids that differ only in a byte that is not UTF-8, instead of merging them', () => {
    const [fe, ff] = [quizWithCourseByte(0xfe), quizWithCourseByte(0xff)];
    const records = toRecords({ topic: 'lms.assessment', partition: 0, nextOffset: 0 }, [
      message(0, 'u-1', fe.value),
      message(1, 'u-1', ff.value),
    ]);

    const engine = createJobEngine('assessment');
    const result = engine.process(records);
    engine.endOfInput();

    expect(result.accepted).toBe(0);
    expect(
      result.rejected.map(({ offset, reason, message, value }) => ({ offset, reason, message, value })),
    ).toEqual([
      {
        offset: 0,
        reason: 'invalid',
        message: `(value): is not UTF-8 (byte 0xfe at byte offset ${fe.offset})`,
        value: fe.value,
      },
      {
        offset: 1,
        reason: 'invalid',
        message: `(value): is not UTF-8 (byte 0xff at byte offset ${ff.offset})`,
        value: ff.value,
      },
    ]);
    expect(engine.drainFinal().get('assessment_realtime_quiz_attempts')).toEqual([]);
  });
});

describe('a heartbeat error', () => {
  it('means a rebalance for the group coordinator errors only', () => {
    expect(isRebalancing({ type: 'REBALANCE_IN_PROGRESS' })).toBe(true);
    expect(isRebalancing({ type: 'ILLEGAL_GENERATION' })).toBe(true);
    expect(isRebalancing({ type: 'NOT_COORDINATOR_FOR_GROUP' })).toBe(true);
    expect(isRebalancing({ type: 'UNKNOWN_MEMBER_ID' })).toBe(false);
    expect(isRebalancing(new Error('socket closed'))).toBe(false);
    expect(isRebalancing(undefined)).toBe(false);
  });
});
