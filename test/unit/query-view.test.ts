import { afterEach, describe, expect, it } from 'vitest';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { DEFAULT_LAYOUT, completionStagingRoot, stagingDir } from '../../src/storage/layout.ts';
import { ViewQuery } from '../../src/processor/query/index.ts';
import { FakeInstance, at, loginRow, refs, tempStore } from './query-fixture.ts';

const LOGIN_RATE = 'auth_realtime_login_rate';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function storeWithTwoAuthInstances() {
  const { store, remove, root } = await tempStore();
  cleanups.push(remove);
  const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2));
  const b = new FakeInstance(store, 'auth', 'b', refs('lms.auth', 3, 4, 5));
  return { store, root, a, b, query: new ViewQuery(store) };
}

describe('query and completion: complete logical rows', () => {
  it('merges the partial rows two instances wrote for the same window into one logical row', async () => {
    const { a, b, query } = await storeWithTwoAuthInstances();
    await a.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:00', 3, 1)] });
    await b.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:00', 0, 2)] });

    const result = await query.query({ view: LOGIN_RATE });

    expect(result.files).toBe(1); // one complete file, published by the completion b's commit made
    expect(result.rows).toEqual([
      {
        window_start: at('08:00'),
        window_end: at('08:01'),
        login_attempts: 6,
        login_successes: 3,
        login_failures: 3,
        success_rate: 0.5,
      },
    ]);
  });

  it('shows only rows whose window end the slowest partition has passed, unless incomplete ones are asked for', async () => {
    const { a, b, query } = await storeWithTwoAuthInstances();
    await a.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:00', 1, 0), loginRow('08:05', 2, 0)] });
    await b.commit((ref) => (ref.partition === 4 ? at('08:03') : at('08:10')), {
      [LOGIN_RATE]: [loginRow('08:00', 1, 0)],
    });

    const complete = await query.query({ view: LOGIN_RATE });
    const all = await query.query({ view: LOGIN_RATE, includeIncomplete: true });

    expect(complete.completeness.watermarkMs).toBe(at('08:03'));
    expect(complete.rows.map((row) => [row.window_start, row.login_attempts])).toEqual([[at('08:00'), 2]]);
    expect(complete.incompleteRows).toBe(0);
    expect(all.incompleteRows).toBe(1);
    expect(all.rows.map((row) => [row.window_start, row.login_attempts])).toEqual([
      [at('08:00'), 2],
      [at('08:05'), 2],
    ]);
  });

  it('takes each partition’s watermark from the newest commit holding it', async () => {
    const { a, b, query } = await storeWithTwoAuthInstances();
    await a.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:05', 2, 0)] });
    await b.commit(at('08:03'));
    expect((await query.query({ view: LOGIN_RATE })).rows).toEqual([]);

    await b.commit(at('08:07'), { [LOGIN_RATE]: [loginRow('08:05', 0, 1)] });
    const later = await query.query({ view: LOGIN_RATE });

    expect(later.completeness.watermarkMs).toBe(at('08:07'));
    expect(later.rows.map((row) => row.login_attempts)).toEqual([3]);
  });

  it('keeps every row incomplete while some partition of the job has never been committed', async () => {
    const { a, query } = await storeWithTwoAuthInstances();
    await a.commit(at('09:00'), { [LOGIN_RATE]: [loginRow('08:00', 1, 1)] });

    const result = await query.query({ view: LOGIN_RATE, includeIncomplete: true });

    expect(a.completer.watermark()).toBe(-Infinity);
    expect(result.completeness.watermarkMs).toBe(-Infinity);
    expect(result.completeness.latest.completion).toBe(0);
    expect(result.rows.map((row) => row.login_attempts)).toEqual([2]);
    expect(result.incompleteRows).toBe(1);
    expect((await query.query({ view: LOGIN_RATE })).rows).toEqual([]);
  });

  it('filters on the window start: from inclusive, to exclusive, across date directories', async () => {
    const { a, b, query } = await storeWithTwoAuthInstances();
    const lateEvening: ViewRow = {
      ...loginRow('08:00', 1, 0),
      window_start: Date.parse('2025-01-05T23:59:00Z'),
      window_end: at('00:00'),
    };
    const rows = [lateEvening, loginRow('00:00', 1, 0), loginRow('08:01', 1, 0), loginRow('08:02', 1, 0)];
    await a.commit(at('09:00'), { [LOGIN_RATE]: rows });
    await b.commit(at('09:00'));

    const starts = async (fromMs?: number, toMs?: number) =>
      (
        await query.query({
          view: LOGIN_RATE,
          ...(fromMs === undefined ? {} : { fromMs }),
          ...(toMs === undefined ? {} : { toMs }),
        })
      ).rows.map((row) => new Date(Number(row.window_start)).toISOString().slice(0, 16));

    expect(await starts(at('00:00'), at('08:02'))).toEqual(['2025-01-06T00:00', '2025-01-06T08:01']);
    expect(await starts(undefined, at('00:00'))).toEqual(['2025-01-05T23:59']);
    expect(await starts(at('08:02'))).toEqual(['2025-01-06T08:02']);
  });

  it('needs W to pass the window end plus the join bound for grading_queue rows', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const instance = new FakeInstance(store, 'assessment', 'a', refs('lms.assessment', 0, 1, 2, 3, 4, 5));
    const row = {
      window_start: at('08:00'),
      window_end: at('08:05'),
      course_id: 'c-1',
      submitted: 2,
      graded: 1,
      pending: 1,
      avg_minutes_to_grade: 3,
      _grade_delay_ms_sum: 180_000,
    };
    const query = new ViewQuery(store);
    await instance.commit(at('08:34'), { assessment_realtime_grading_queue: [row] });
    expect((await query.query({ view: 'assessment_realtime_grading_queue' })).rows).toEqual([]);

    await instance.commit(at('08:35'));
    const { rows } = await query.query({ view: 'assessment_realtime_grading_queue' });

    expect(rows).toEqual([
      {
        window_start: at('08:00'),
        window_end: at('08:05'),
        course_id: 'c-1',
        submitted: 2,
        graded: 1,
        pending: 1,
        avg_minutes_to_grade: 3,
      },
    ]);
  });

  it('needs W to pass session_end for session rows', async () => {
    const { a, b, query } = await storeWithTwoAuthInstances();
    const session = {
      session_start: at('08:00'),
      session_end: at('08:15'),
      user_id: 'u-1',
      events: 3,
      logins: 1,
      duration_seconds: 300,
      ended_by_logout: false,
    };
    await a.commit(at('08:14'), { auth_realtime_session_activity: [session] });
    await b.commit(at('08:20'));
    expect((await query.query({ view: 'auth_realtime_session_activity' })).rows).toEqual([]);

    await a.commit(at('08:15'));
    expect((await query.query({ view: 'auth_realtime_session_activity' })).rows).toEqual([session]);
  });

  it('reads the files of a completion whose record is written but whose files are still being published', async () => {
    const { store, a, b, query } = await storeWithTwoAuthInstances();
    await a.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:00', 1, 0)] });
    await b.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:00', 0, 1)] });
    // Undo the publish of completion 1 (writer b): only the staged copy is left, as just after the put.
    const [published] = (await store.list(`${DEFAULT_LAYOUT.viewsPrefix}${LOGIN_RATE}/`)).filter((key) =>
      key.endsWith('.parquet'),
    );
    expect(published).toMatch(/auth-000000000001\.parquet$/);
    await store.put(
      `${stagingDir(completionStagingRoot(DEFAULT_LAYOUT, 'auth'), 1, 'b')}${published!}`,
      (await store.get(published!))!,
    );
    await store.deleteMany([published!]);

    const result = await query.query({ view: LOGIN_RATE });

    expect(result.rows.map((row) => row.login_attempts)).toEqual([2]);
  });
});
