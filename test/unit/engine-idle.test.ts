import { describe, expect, it } from 'vitest';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { MINUTE_MS, record, T0_MS } from './engine-records.ts';

describe('the idle rule (applied by the runtime)', () => {
  it('closes windows of a quiet partition when its idle watermark passes their end', () => {
    const engine = createJobEngine('auth');
    engine.process([record('logout', T0_MS)]);
    expect(engine.drainFinal().get('auth_realtime_active_users_1min')).toEqual([]);
    engine.advanceIdle('lms.auth', 0, T0_MS + MINUTE_MS);
    expect(engine.drainFinal().get('auth_realtime_active_users_1min')).toEqual([
      expect.objectContaining({ window_start: T0_MS, events: 1 }),
    ]);
  });

  it('makes a record older than the idle watermark late, and never moves the watermark back', () => {
    const engine = createJobEngine('auth');
    engine.advanceIdle('lms.auth', 0, T0_MS + 10 * MINUTE_MS);
    engine.advanceIdle('lms.auth', 0, T0_MS);
    expect(engine.watermarks()[0]!.watermarkMs).toBe(T0_MS + 10 * MINUTE_MS);
    const result = engine.process([record('logout', T0_MS + 5 * MINUTE_MS)]);
    expect(result.rejected.map((rejection) => rejection.reason)).toEqual(['late']);
  });

  it('is off unless applied: a partition without records keeps every window open', () => {
    const engine = createJobEngine('auth');
    engine.process([record('logout', T0_MS)]);
    expect(engine.watermarks()[0]!.watermarkMs).toBe(T0_MS - 2 * MINUTE_MS);
  });
});
