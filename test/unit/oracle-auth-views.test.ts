import { describe, it } from 'vitest';
import { MINUTE, RecordLog, SECOND, T0, expectRows } from '../fixtures/oracle/record-log.ts';

describe('oracle auth views', () => {
  it('auth_realtime_active_users_1min puts an event at end − 1 ms in the window and one at end in the next', async () => {
    const log = new RecordLog();
    log.event('login_success', T0 + MINUTE - 1, { user_id: 'u-1' });
    log.event('logout', T0 + MINUTE - 1, { user_id: 'u-1' });
    log.event('logout', T0 + MINUTE, { user_id: 'u-2' });
    expectRows(await log.run(), 'auth_realtime_active_users_1min', [
      { window_start: T0, window_end: T0 + MINUTE, active_users: 1, events: 2 },
      { window_start: T0 + MINUTE, window_end: T0 + 2 * MINUTE, active_users: 1, events: 1 },
    ]);
  });

  it('auth_realtime_active_users_5min counts one event in each of its five sliding windows', async () => {
    const log = new RecordLog();
    log.event('token_refresh', T0 + 2 * MINUTE + 30 * SECOND);
    const windows = [-2, -1, 0, 1, 2].map((startMinute) => ({
      window_start: T0 + startMinute * MINUTE,
      window_end: T0 + (startMinute + 5) * MINUTE,
      active_users: 1,
      events: 1,
    }));
    expectRows(await log.run(), 'auth_realtime_active_users_5min', windows);
  });

  it('auth_realtime_active_users_5min: an event at a window end belongs to the next start only', async () => {
    const log = new RecordLog();
    log.event('logout', T0 + 5 * MINUTE - 1, { user_id: 'u-1' }); // windows starting T0 … T0+4m
    log.event('logout', T0 + 5 * MINUTE, { user_id: 'u-2' }); // windows starting T0+1m … T0+5m
    const rows = [0, 1, 2, 3, 4, 5].map((startMinute) => {
      const users = (startMinute <= 4 ? 1 : 0) + (startMinute >= 1 ? 1 : 0);
      return {
        window_start: T0 + startMinute * MINUTE,
        window_end: T0 + (startMinute + 5) * MINUTE,
        active_users: users,
        events: users,
      };
    });
    expectRows(await log.run(), 'auth_realtime_active_users_5min', rows);
  });

  it('auth_realtime_login_rate counts attempts and the success ratio per minute, ignoring logouts', async () => {
    const log = new RecordLog();
    log.event('login_success', T0, { user_id: 'u-1' });
    log.event('login_success', T0 + 10 * SECOND, { user_id: 'u-2' });
    log.event('login_failure', T0 + 20 * SECOND, { user_id: 'u-3' });
    log.event('logout', T0 + 30 * SECOND, { user_id: 'u-1' });
    log.event('login_failure', T0 + MINUTE, { user_id: 'u-3' });
    log.event('logout', T0 + 2 * MINUTE, { user_id: 'u-3' }); // a minute with no attempt: no row
    expectRows(await log.run(), 'auth_realtime_login_rate', [
      {
        window_start: T0,
        window_end: T0 + MINUTE,
        login_attempts: 3,
        login_successes: 2,
        login_failures: 1,
        success_rate: 2 / 3,
      },
      {
        window_start: T0 + MINUTE,
        window_end: T0 + 2 * MINUTE,
        login_attempts: 1,
        login_successes: 0,
        login_failures: 1,
        success_rate: 0,
      },
    ]);
  });

  it('auth_realtime_failed_logins flags 5 failures in a minute as brute force, not 4, and counts distinct ips', async () => {
    const log = new RecordLog();
    for (let i = 0; i < 5; i++)
      log.event('login_failure', T0 + i * SECOND, { user_id: 'u-1', ip: `10.0.0.${i % 2}` });
    for (let i = 0; i < 4; i++)
      log.event('login_failure', T0 + i * SECOND, { user_id: 'u-2', ip: '10.9.9.9' });
    log.event('login_success', T0, { user_id: 'u-3' });
    expectRows(await log.run(), 'auth_realtime_failed_logins', [
      {
        window_start: T0,
        window_end: T0 + MINUTE,
        user_id: 'u-1',
        failed_attempts: 5,
        distinct_ips: 2,
        suspected_brute_force: true,
      },
      {
        window_start: T0,
        window_end: T0 + MINUTE,
        user_id: 'u-2',
        failed_attempts: 4,
        distinct_ips: 1,
        suspected_brute_force: false,
      },
    ]);
  });
});

describe('oracle auth_realtime_session_activity (gap 10 min)', () => {
  const session = (
    userId: string,
    startMs: number,
    lastMs: number,
    values: { events: number; logins: number; ended_by_logout: boolean },
    gapMs = 10 * MINUTE,
  ) => ({
    session_start: startMs,
    session_end: lastMs + gapMs,
    user_id: userId,
    events: values.events,
    logins: values.logins,
    duration_seconds: (lastMs - startMs) / 1000,
    ended_by_logout: values.ended_by_logout,
  });

  function gapLog(): RecordLog {
    const log = new RecordLog();
    log.event('login_success', T0, { user_id: 'u-1' });
    log.event('token_refresh', T0 + 10 * MINUTE - 1, { user_id: 'u-1' }); // gap − 1 ms: same session
    log.event('logout', T0 + 20 * MINUTE - 1, { user_id: 'u-1' }); // exactly gap: a new session
    return log;
  }

  it('keeps an event 10 min − 1 ms after the previous in the session and starts a new one at exactly 10 min', async () => {
    expectRows(await gapLog().run(), 'auth_realtime_session_activity', [
      session('u-1', T0, T0 + 10 * MINUTE - 1, { events: 2, logins: 1, ended_by_logout: false }),
      session('u-1', T0 + 20 * MINUTE - 1, T0 + 20 * MINUTE - 1, {
        events: 1,
        logins: 0,
        ended_by_logout: true,
      }),
    ]);
  });

  it('uses the session gap it is given', async () => {
    const gapMs = 20 * MINUTE;
    expectRows(await gapLog().run({ sessionGapMs: gapMs }), 'auth_realtime_session_activity', [
      session('u-1', T0, T0 + 20 * MINUTE - 1, { events: 3, logins: 1, ended_by_logout: true }, gapMs),
    ]);
  });

  it('ends by logout when a logout ties with another event at the last time, whatever their offsets', async () => {
    const log = new RecordLog();
    log.event('login_success', T0, { user_id: 'u-2' }, { partition: 2 });
    log.event('logout', T0 + MINUTE, { user_id: 'u-2' }, { partition: 2 });
    log.event('token_refresh', T0 + MINUTE, { user_id: 'u-2' }, { partition: 2 });
    log.event('token_refresh', T0, { user_id: 'u-3' }, { partition: 3 });
    log.event('logout', T0 + MINUTE - 1, { user_id: 'u-3' }, { partition: 3 }); // not at the last time
    log.event('token_refresh', T0 + MINUTE, { user_id: 'u-3' }, { partition: 3 });
    expectRows(await log.run(), 'auth_realtime_session_activity', [
      session('u-2', T0, T0 + MINUTE, { events: 3, logins: 1, ended_by_logout: true }),
      session('u-3', T0, T0 + MINUTE, { events: 3, logins: 0, ended_by_logout: false }),
    ]);
  });

  it('counts two records at the same time as two events and keeps users apart', async () => {
    const log = new RecordLog();
    log.event('login_success', T0, { user_id: 'u-4' }, { partition: 4 });
    log.event('login_success', T0, { user_id: 'u-4' }, { partition: 4 });
    log.event('login_failure', T0 + 5 * MINUTE, { user_id: 'u-5' }, { partition: 4 });
    expectRows(await log.run(), 'auth_realtime_session_activity', [
      session('u-4', T0, T0, { events: 2, logins: 2, ended_by_logout: false }),
      session('u-5', T0 + 5 * MINUTE, T0 + 5 * MINUTE, { events: 1, logins: 0, ended_by_logout: false }),
    ]);
  });
});
