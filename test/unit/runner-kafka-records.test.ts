import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRebalancing, toRecords } from '../../src/processor/runner/kafka-records.ts';

function message(offset: number, key: string | null, value: string | null): KafkaMessage {
  return {
    offset: String(offset),
    timestamp: String(1_700_000_000_000 + offset),
    key: key === null ? null : Buffer.from(key, 'utf8'),
    value: value === null ? null : Buffer.from(value, 'utf8'),
    attributes: 0,
    headers: {},
  } as KafkaMessage;
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
      { topic: 'lms.video', partition: 1, offset: 1, timestamp: 1_700_000_000_001, key: null, value: '' },
    ]);
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
