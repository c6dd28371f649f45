import { describe, expect, it } from 'vitest';
import { PartitionClock } from '../../src/processor/engine/partition-clock.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { MINUTE_MS, record, T0_MS } from './engine-records.ts';

const DELAY_MS = 2 * MINUTE_MS;

describe('partition watermark and acceptance', () => {
  it('moves the watermark after every accepted record, not at batch end', () => {
    const engine = createJobEngine('auth');
    const result = engine.process([
      record('logout', T0_MS + 10 * MINUTE_MS),
      record('logout', T0_MS + 5 * MINUTE_MS),
    ]);
    expect(result.rejected.map((rejection) => rejection.reason)).toEqual(['late']);
    expect(result.rejected[0]).toMatchObject({
      topic: 'lms.auth',
      partition: 0,
      offset: 1,
      timestampMs: T0_MS + 5 * MINUTE_MS,
    });
    expect(result.rejected[0]!.message).toContain(String(T0_MS + 8 * MINUTE_MS));
  });

  it('accepts an event exactly at the watermark and rejects one a millisecond before', () => {
    const clock = new PartitionClock(DELAY_MS, 5 * MINUTE_MS);
    expect(clock.judge('a', T0_MS, T0_MS)).toBeNull();
    expect(clock.judge('b', T0_MS - DELAY_MS, T0_MS)).toBeNull();
    expect(clock.judge('c', T0_MS - DELAY_MS - 1, T0_MS)).toBe('late');
  });

  it('checks future before late and late before duplicate', () => {
    const clock = new PartitionClock(DELAY_MS, 5 * MINUTE_MS);
    expect(clock.judge('a', T0_MS + 5 * MINUTE_MS + 1, T0_MS)).toBe('future');
    expect(clock.judge('a', T0_MS, T0_MS)).toBeNull();
    expect(clock.judge('a', T0_MS, T0_MS)).toBe('duplicate');
    clock.judge('b', T0_MS + 10 * MINUTE_MS, T0_MS + 10 * MINUTE_MS);
    expect(clock.judge('a', T0_MS, T0_MS + 10 * MINUTE_MS)).toBe('late');
  });

  it('forgets an id once the watermark is past its time, so a resend with a new time is accepted', () => {
    const clock = new PartitionClock(DELAY_MS, 5 * MINUTE_MS);
    clock.judge('a', T0_MS, T0_MS);
    clock.judge('b', T0_MS + 5 * MINUTE_MS, T0_MS + 5 * MINUTE_MS);
    clock.forgetOldIds();
    expect(clock.rememberedIds).toBe(1);
    expect(clock.judge('a', T0_MS + 5 * MINUTE_MS, T0_MS + 5 * MINUTE_MS)).toBeNull();
  });

  it('keeps partitions independent: a lagging partition is not late because another ran ahead', () => {
    const engine = createJobEngine('auth');
    const result = engine.process([
      record('logout', T0_MS + 60 * MINUTE_MS, {}, 0),
      record('logout', T0_MS, { user_id: 'u-2' }, 1),
    ]);
    expect(result.accepted).toBe(2);
    const marks = engine.watermarks().map(({ partition, watermarkMs }) => [partition, watermarkMs]);
    expect(marks).toEqual([
      [0, T0_MS + 58 * MINUTE_MS],
      [1, T0_MS - DELAY_MS],
    ]);
  });

  it('emits a partition contribution only when that partition watermark passes the window end', () => {
    const engine = createJobEngine('auth');
    engine.process([record('logout', T0_MS), record('logout', T0_MS + 3 * MINUTE_MS - 1)]);
    expect(engine.drainFinal().get('auth_realtime_active_users_1min')).toEqual([]);
    engine.process([record('logout', T0_MS + 3 * MINUTE_MS)]);
    const rows = engine.drainFinal().get('auth_realtime_active_users_1min')!;
    expect(rows.map((row) => row.window_start)).toEqual([T0_MS]);
  });
});
