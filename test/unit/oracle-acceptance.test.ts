import { describe, expect, it } from 'vitest';
import { MAX_VALUE_BYTES } from '../../src/events/topics.ts';
import type { KafkaMessage } from 'kafkajs';
import { AcceptanceScan } from '../../src/oracle/acceptance.ts';
import { toSourceRecord } from '../../src/oracle/kafka-records.ts';
import { runOracle } from '../../src/oracle/run-oracle.ts';
import { MINUTE, RecordLog, T0, expectRows, rejectedOn } from '../fixtures/oracle/record-log.ts';
import { wireEvent, wireValue } from '../fixtures/valid-events.ts';

const AUTH = 'lms.auth';

describe('oracle acceptance: watermark and lateness (D = 2 min)', () => {
  it('accepts an event exactly at the watermark and rejects one 1 ms before it as late', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 10 * MINUTE); // maxT = T0+10m, wm = T0+8m
    log.event('logout', T0 + 8 * MINUTE); // = wm: accepted
    log.event('logout', T0 + 8 * MINUTE - 1); // wm − 1 ms: late
    const result = await log.run();
    expect(rejectedOn(result, AUTH)).toEqual(['2:late']);
    expect(result.acceptedCount).toBe(2);
  });

  it('judges each partition against its own watermark, so a partition far behind is not late', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 60 * MINUTE, { user_id: 'u-ahead' }, { partition: 0 });
    log.event('logout', T0, { user_id: 'u-behind' }, { partition: 1 });
    log.event('logout', T0, { user_id: 'u-behind' }, { topic: 'lms.auth', partition: 2 });
    const result = await log.run();
    expect(result.rejected).toEqual([]);
    expectRows(result, 'auth_realtime_active_users_1min', [
      { window_start: T0, window_end: T0 + MINUTE, active_users: 1, events: 2 },
      { window_start: T0 + 60 * MINUTE, window_end: T0 + 61 * MINUTE, active_users: 1, events: 1 },
    ]);
  });

  it('uses a larger watermark delay when asked', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 10 * MINUTE);
    log.event('logout', T0 + 5 * MINUTE); // late with D = 2 min, accepted with D = 5 min
    expect(rejectedOn(await log.run(), AUTH)).toEqual(['1:late']);
    expect(rejectedOn(await log.run({ watermarkDelayMs: 5 * MINUTE }), AUTH)).toEqual([]);
  });

  it('never lets a rejected record move the watermark', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 60 * MINUTE, {}, { timestamp: T0 }); // future: must not raise maxT
    log.event('logout', T0);
    expect(rejectedOn(await log.run(), AUTH)).toEqual(['0:future']);
  });
});

describe('oracle acceptance: duplicates and their watermark horizon', () => {
  it('rejects a copy while the first is within the horizon, accepts the id again once the watermark passed it', async () => {
    const log = new RecordLog();
    log.event('logout', T0, { event_id: 'x' }); // 0 accepted
    log.event('logout', T0 + 2 * MINUTE); // 1 accepted: wm = T0, first x still >= wm
    log.event('logout', T0 + 2 * MINUTE, { event_id: 'x' }); // 2 duplicate
    log.event('logout', T0 + 2 * MINUTE + 1); // 3 accepted: wm = T0 + 1 ms > first x
    log.event('logout', T0 + 3 * MINUTE, { event_id: 'x' }); // 4 accepted: x re-used, newer time
    log.event('logout', T0 + 3 * MINUTE, { event_id: 'x' }); // 5 duplicate of record 4
    expect(rejectedOn(await log.run(), AUTH)).toEqual(['2:duplicate', '5:duplicate']);
  });

  it('rejects a duplicate on the same partition and accepts the same event_id on another partition', async () => {
    const log = new RecordLog();
    log.event('logout', T0, { event_id: 'd' }, { partition: 0 });
    log.event('logout', T0, { event_id: 'd' }, { partition: 0 });
    log.event('logout', T0, { event_id: 'd' }, { partition: 1 });
    log.event('course_viewed', T0, { event_id: 'd' }, { partition: 0 }); // another topic: another partition
    const result = await log.run();
    expect(result.rejected).toEqual([{ topic: AUTH, partition: 0, offset: 1, reason: 'duplicate' }]);
    expectRows(result, 'auth_realtime_active_users_1min', [
      { window_start: T0, window_end: T0 + MINUTE, active_users: 1, events: 2 },
    ]);
  });

  it('calls a re-sent copy late, not duplicate, once the watermark passed it (rule order)', async () => {
    const log = new RecordLog();
    log.event('logout', T0, { event_id: 'r' });
    log.event('logout', T0 + 5 * MINUTE); // wm = T0 + 3 min
    log.event('logout', T0, { event_id: 'r' });
    expect(rejectedOn(await log.run(), AUTH)).toEqual(['2:late']);
  });

  it('does not remember a rejected record for the duplicate rule', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 30 * MINUTE, { event_id: 'f' }, { timestamp: T0 }); // future
    log.event('logout', T0, { event_id: 'f' }); // accepted: the future copy was never accepted
    expect(rejectedOn(await log.run(), AUTH)).toEqual(['0:future']);
  });
});

describe('oracle acceptance: future events', () => {
  it('accepts event_time exactly 5 min after the record timestamp and rejects 1 ms more as future', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 5 * MINUTE, {}, { timestamp: T0 });
    log.event('logout', T0 + 5 * MINUTE + 1, {}, { timestamp: T0 });
    expect(rejectedOn(await log.run(), AUTH)).toEqual(['1:future']);
  });

  it('checks future before late (rule order)', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 60 * MINUTE);
    log.event('logout', T0, {}, { timestamp: T0 - 10 * MINUTE }); // both late and future: future wins
    expect(rejectedOn(await log.run(), AUTH)).toEqual(['1:future']);
  });
});

describe('oracle acceptance: invalid records', () => {
  const logout = (overrides: Record<string, unknown>): string => wireValue('logout', overrides);
  const invalidValues: [string, string, (string | null)?][] = [
    ['bad JSON', '{"event_id":'],
    ['NaN', 'NaN'],
    ['not an object', '[1,2]'],
    ['oversize', logout({ pad: 'x'.repeat(MAX_VALUE_BYTES) })],
    ['a missing field', logout({ session_id: undefined })],
    ['a wrong type', logout({ session_id: 42 })],
    ['an unknown event type', logout({ event_type: 'video_play' })],
    ['a non-string event type', logout({ event_type: 7 })],
    ['a bad time format', logout({ event_time: '2025-01-06 08:00:00Z' })],
    ['February 30', logout({ event_time: '2025-02-30T08:00:00.000Z' })],
    ['24:00', logout({ event_time: '2025-01-06T24:00:00.000Z' })],
    ['a time before 1970', logout({ event_time: '1969-12-31T23:59:59.999Z' })],
    ['an event_id over 64 UTF-16 units', logout({ event_id: 'é'.repeat(65) })],
    ['a user_id over 64 UTF-16 units', logout({ user_id: '😀'.repeat(33) }), '😀'.repeat(33)],
    ['a key different from user_id', logout({}), 'u-2'],
    ['a null key', logout({}), null],
    ['score over max_score', wireValue('quiz_completed', { score: 11, max_score: 10 })],
    [
      'a number field too large for a double',
      wireValue('quiz_completed', { score: 1 }).replace('"score":1', '"score":1e999'),
    ],
  ];

  it.each(invalidValues)('rejects %s as invalid and applies it to no view', async (_, value, key = 'u-1') => {
    const log = new RecordLog();
    const topic = value.includes('quiz_completed') ? 'lms.assessment' : AUTH;
    log.raw(topic, value, { key, timestamp: T0 });
    log.event('logout', T0, {}, { partition: 1 });
    const result = await log.run();
    expect(result.rejected).toEqual([{ topic, partition: 0, offset: 0, reason: 'invalid' }]);
    expect(result.acceptedCount).toBe(1);
  });

  it('rejects a record of a topic outside the contract as invalid', async () => {
    const log = new RecordLog();
    log.raw('lms.unknown', wireValue('logout'));
    expect((await log.run()).rejected).toEqual([
      { topic: 'lms.unknown', partition: 0, offset: 0, reason: 'invalid' },
    ]);
  });

  it('accepts an unknown extra field holding a number too large for a double', async () => {
    const log = new RecordLog();
    const value = JSON.stringify(wireEvent('logout', { event_time: new Date(T0).toISOString() }));
    log.raw(AUTH, value.replace(/}$/, ',"extra":1e999}'));
    const result = await log.run();
    expect(result.rejected).toEqual([]);
    expect(result.acceptedCount).toBe(1);
  });
});

describe('oracle acceptance: records read off Kafka', () => {
  /** Partition 0 of lms.assessment as the oracle's reader decodes it from the bytes kafkajs hands over. */
  const read = (values: (Buffer | null)[], key: Buffer | null = Buffer.from('u-1')) =>
    values.map((value, offset) =>
      toSourceRecord('lms.assessment', 0, {
        offset: String(offset),
        timestamp: String(T0),
        key,
        value,
        attributes: 0,
        headers: {},
      } as KafkaMessage),
    );
  const quiz = (courseId: Buffer): Buffer => {
    const [before, after] = wireValue('quiz_started', {
      event_time: new Date(T0).toISOString(),
      course_id: 'MARK',
    }).split('MARK') as [string, string];
    return Buffer.concat([Buffer.from(before), courseId, Buffer.from(after)]);
  };

  it('rejects two course ids that differ only in a byte that is not UTF-8, instead of merging them', async () => {
    const result = await runOracle(read([quiz(Buffer.from([0xfe])), quiz(Buffer.from([0xff]))]));

    expect(rejectedOn(result, 'lms.assessment')).toEqual(['0:invalid', '1:invalid']);
    expect(result.rowsByView.get('assessment_realtime_quiz_attempts')).toEqual([]);
  });

  it('rejects a key that is not UTF-8, a tombstone and a value behind a byte order mark', async () => {
    const valid = quiz(Buffer.from('c-1'));
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]);

    const badKey = await runOracle(read([valid], Buffer.from([0x75, 0xfe])));
    const result = await runOracle(read([null, bom, valid]));

    expect(rejectedOn(badKey, 'lms.assessment')).toEqual(['0:invalid']);
    expect(rejectedOn(result, 'lms.assessment')).toEqual(['0:invalid', '1:invalid']);
    expect(result.acceptedCount).toBe(1);
  });

  it('hands over text, bytes that are not UTF-8 as a copy, and null as null', () => {
    const [text, bytes, tombstone] = read([Buffer.from('{"é":"😀"}'), Buffer.from([0xc0, 0xaf]), null]);

    expect(text!.value).toBe('{"é":"😀"}');
    expect(bytes!.value).toEqual(Buffer.from([0xc0, 0xaf]));
    expect(tombstone!.value).toBeNull();
  });
});

describe('AcceptanceScan', () => {
  it('refuses records of one partition that are not in offset order', () => {
    const scan = new AcceptanceScan(2 * MINUTE);
    const record = {
      topic: AUTH,
      partition: 0,
      offset: 5,
      timestamp: T0,
      key: 'u-1',
      value: wireValue('logout'),
    };
    scan.judge(record);
    expect(() => scan.judge({ ...record, offset: 4 })).toThrow(/not in offset order: 4 after 5/);
  });
});
