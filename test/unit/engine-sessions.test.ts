import { describe, expect, it } from 'vitest';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { MINUTE_MS, record, T0_MS } from './engine-records.ts';

const VIEW = 'auth_realtime_session_activity';

function sessions(records: ReturnType<typeof record>[]) {
  const engine = createJobEngine('auth');
  engine.process(records);
  engine.endOfInput();
  return engine
    .drainFinal()
    .get(VIEW)!
    .sort((a, b) => Number(a.session_start) - Number(b.session_start));
}

describe('session windows', () => {
  it('keeps two sessions apart while nothing bridges them', () => {
    const rows = sessions([record('login_success', T0_MS), record('token_refresh', T0_MS + 11 * MINUTE_MS)]);
    expect(rows.map((row) => row.events)).toEqual([1, 1]);
  });

  it('starts a new session when the gap is reached exactly', () => {
    const rows = sessions([record('login_success', T0_MS), record('logout', T0_MS + 10 * MINUTE_MS)]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      session_start: T0_MS,
      session_end: T0_MS + 10 * MINUTE_MS,
      events: 1,
      logins: 1,
    });
  });

  it('merges two sessions when a late-arriving event bridges them', () => {
    const rows = sessions([
      record('login_success', T0_MS),
      record('token_refresh', T0_MS + 11 * MINUTE_MS),
      record('logout', T0_MS + 9.5 * MINUTE_MS), // arrives last, still above the watermark (9 min)
    ]);
    expect(rows).toEqual([
      expect.objectContaining({
        session_start: T0_MS,
        session_end: T0_MS + 21 * MINUTE_MS,
        events: 3,
        logins: 1,
        duration_seconds: 11 * 60,
        ended_by_logout: false,
      }),
    ]);
  });

  it('says ended_by_logout when any event at the last time is a logout', () => {
    const rows = sessions([
      record('logout', T0_MS + MINUTE_MS),
      record('token_refresh', T0_MS + MINUTE_MS),
      record('login_success', T0_MS),
    ]);
    expect(rows).toEqual([
      expect.objectContaining({ events: 3, ended_by_logout: true, duration_seconds: 60 }),
    ]);
  });

  it('emits a session only when the partition watermark reaches its end', () => {
    const engine = createJobEngine('auth');
    engine.process([record('login_success', T0_MS), record('token_refresh', T0_MS + 11 * MINUTE_MS)]);
    expect(engine.drainFinal().get(VIEW)).toEqual([]);
    engine.process([record('token_refresh', T0_MS + 12 * MINUTE_MS)]);
    expect(engine.drainFinal().get(VIEW)).toEqual([
      expect.objectContaining({ session_start: T0_MS, events: 1 }),
    ]);
  });
});
