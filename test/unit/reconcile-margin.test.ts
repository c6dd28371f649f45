import { describe, expect, it } from 'vitest';
import { createReconcileMetrics } from '../../src/batch/reconcile-metrics.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { splitPastMargin } from '../../src/batch/reconcile-margin.ts';
import { viewSpec } from '../../src/events/view-catalog.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { archiveByJobs } from './batch-fixture.ts';
import { record } from './engine-records.ts';
import { tempDir } from './temp-dir.ts';

const SESSIONS = 'auth_realtime_session_activity';
const DAY = '2025-01-06';
/** The end of the batch's load window of DAY with the default margin (1 h). */
const LOAD_TO_MS = Date.parse('2025-01-07T01:00:00Z');

/** Token refreshes of one user every `stepMin` minutes in [from, to), as [user, time] pairs. */
function refreshes(user: string, stepMin: number, from: string, to: string): [string, number][] {
  const times: [string, number][] = [];
  for (let ms = Date.parse(from); ms < Date.parse(to); ms += stepMin * 60_000) times.push([user, ms]);
  return times;
}

/** The records of those refreshes in time order, on one partition (so none is late). */
function inTimeOrder(events: [string, number][]) {
  return events
    .sort(([, a], [, b]) => a - b)
    .map(([user, ms]) => record('token_refresh', ms, { user_id: user }));
}

describe('sessions the batch cuts at its load window', () => {
  it('are reported as cut by the margin, not as differing, on a day without late events', async () => {
    const store = new FileObjectStore(tempDir('reconcile-margin-'));
    await archiveByJobs(
      store,
      inTimeOrder([
        // A chain from 23:30 to 01:25: the batch sees it up to 00:55, the speed layer whole.
        ...refreshes('long', 5, '2025-01-06T23:30:00Z', '2025-01-07T01:30:00Z'),
        // Ends at 00:58 + 10 min, past the window too, but the batch saw all of it: equal.
        ...refreshes('ends', 4, '2025-01-06T23:58:00Z', '2025-01-07T01:00:00Z'),
        ...refreshes('short', 3, '2025-01-06T10:00:00Z', '2025-01-06T10:10:00Z'),
      ]),
    );

    const [result] = await runBatch({ store, selection: { kind: 'days', days: [DAY] }, views: [SESSIONS] });

    const figures = result!.reconciliation!.views[SESSIONS]!;
    expect(result!.cutSessions).toBe(2);
    expect(figures).toMatchObject({ batch_rows: 3, speed_rows: 3, equal: 2, differing: 0, only_batch: 0 });
    expect(figures.largest_differences).toEqual([]);
    expect(figures.past_margin).toEqual({
      rows: 1,
      load_window_end: '2025-01-07T01:00:00.000Z',
      sessions: [
        {
          key: { session_start: '2025-01-06T23:30:00.000Z', user_id: 'long' },
          batch_session_end: '2025-01-07T01:05:00.000Z',
          speed_session_end: '2025-01-07T01:35:00.000Z',
        },
      ],
    });
    const metrics = createReconcileMetrics();
    metrics.record(result!.reconciliation!);
    expect(await metrics.registry.metrics()).toContain(
      `speed_layer_speed_batch_rows_past_margin{view="${SESSIONS}"} 1\n`,
    );
  });

  it('sets aside a cut session the speed layer has not published, and keeps one it ends no later', () => {
    const spec = viewSpec(SESSIONS);
    const session = (user: string, start: string, end: string) => ({
      session_start: Date.parse(start),
      session_end: Date.parse(end),
      user_id: user,
      events: 3,
      logins: 0,
      duration_seconds: 60,
      ended_by_logout: false,
    });
    const open = session('open', '2025-01-07T00:20:00Z', '2025-01-07T01:04:00Z');
    const shorter = session('shorter', '2025-01-07T00:30:00Z', '2025-01-07T01:06:00Z');
    const before = session('before', '2025-01-06T22:00:00Z', '2025-01-06T22:30:00Z');
    const speedShorter = { ...shorter, session_end: Date.parse('2025-01-07T01:02:00Z') };

    const split = splitPastMargin(spec, [before, open, shorter], [before, speedShorter], LOAD_TO_MS);

    expect(split.pastMargin).toEqual([
      {
        key: { session_start: '2025-01-07T00:20:00.000Z', user_id: 'open' },
        batch_session_end: '2025-01-07T01:04:00.000Z',
        speed_session_end: null,
      },
    ]);
    expect(split.batch).toEqual([before, shorter]);
    expect(split.speed).toEqual([before, speedShorter]);
  });

  it('leaves the rows of windowed views as they are', () => {
    const spec = viewSpec('auth_realtime_active_users_1min');
    const row = { window_start: LOAD_TO_MS, window_end: LOAD_TO_MS + 60_000, active_users: 1, events: 2 };

    expect(splitPastMargin(spec, [row], [], LOAD_TO_MS)).toEqual({ batch: [row], speed: [], pastMargin: [] });
  });
});
