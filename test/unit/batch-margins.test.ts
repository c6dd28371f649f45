import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/batch/run-batch.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { batchRows, writeCompleteness, writeRawEvents } from './batch-fixture.ts';
import { tempDir } from './temp-dir.ts';

const SESSIONS = 'auth_realtime_session_activity';
const SLIDING = 'auth_realtime_active_users_5min';

/** One user's auth events (logins) at the given UTC times. */
function logins(user: string, times: readonly string[]) {
  return times.map((time, index) => ({
    event_id: `${user}-${index}`,
    event_type: 'login_success',
    event_time: time,
    user_id: user,
    ip: '10.0.0.1',
  }));
}

/** Every `stepMin` minutes from `from` (inclusive) to `to` (exclusive). */
function every(stepMin: number, from: string, to: string): string[] {
  const times: string[] = [];
  for (let ms = Date.parse(from); ms < Date.parse(to); ms += stepMin * 60_000)
    times.push(new Date(ms).toISOString());
  return times;
}

async function archiveOf(events: ReturnType<typeof logins>) {
  const store = new FileObjectStore(tempDir('batch-margins-'));
  for (const date of new Set(events.map((event) => event.event_time.slice(0, 10))))
    await writeRawEvents(
      store,
      'lms.auth',
      date,
      events.filter((event) => event.event_time.startsWith(date)),
    );
  await writeCompleteness(store, [SESSIONS, SLIDING], '2025-01-10T00:00:00.000Z');
  return store;
}

describe('the days and margins of the batch layer', () => {
  it('puts a session that runs past midnight in the day it starts, whole, and not in the next day', async () => {
    const store = await archiveOf([
      ...logins('a', every(5, '2025-01-06T23:40:00Z', '2025-01-07T00:20:00Z')),
      ...logins('b', ['2025-01-07T00:05:00Z']),
    ]);

    await runBatch({
      store,
      selection: { kind: 'days', days: ['2025-01-06', '2025-01-07'] },
      views: [SESSIONS],
    });

    expect(await batchRows(store, SESSIONS, '2025-01-06')).toEqual([
      expect.objectContaining({
        user_id: 'a',
        session_start: Date.parse('2025-01-06T23:40:00Z'),
        session_end: Date.parse('2025-01-07T00:25:00Z'),
        events: 8,
      }),
    ]);
    expect((await batchRows(store, SESSIONS, '2025-01-07')).map((row) => row.user_id)).toEqual(['b']);
  });

  it('gives the sliding windows that start before midnight the events after it', async () => {
    const store = await archiveOf(logins('a', ['2025-01-07T00:02:00Z']));

    await runBatch({
      store,
      selection: { kind: 'days', days: ['2025-01-06', '2025-01-07'] },
      views: [SLIDING],
    });

    const starts = async (day: string) =>
      (await batchRows(store, SLIDING, day)).map((row) => new Date(Number(row.window_start)).toISOString());
    expect(await starts('2025-01-06')).toEqual(['2025-01-06T23:58:00.000Z', '2025-01-06T23:59:00.000Z']);
    expect(await starts('2025-01-07')).toEqual([
      '2025-01-07T00:00:00.000Z',
      '2025-01-07T00:01:00.000Z',
      '2025-01-07T00:02:00.000Z',
    ]);
  });

  it('reports a session that runs on past the margin, cut at D + 1 day + L', async () => {
    const store = await archiveOf(logins('a', every(5, '2025-01-06T23:30:00Z', '2025-01-07T01:30:00Z')));
    const lines: string[] = [];

    const [result] = await runBatch({
      store,
      selection: { kind: 'days', days: ['2025-01-06'] },
      views: [SESSIONS],
      marginMs: 30 * 60_000,
      progress: (line) => lines.push(line),
    });

    expect(result!.cutSessions).toBe(1);
    expect(lines.join('\n')).toMatch(/1 sessions run past the margin/);
    expect(await batchRows(store, SESSIONS, '2025-01-06')).toEqual([
      expect.objectContaining({ session_end: Date.parse('2025-01-07T00:35:00Z') }),
    ]);
  });
});
