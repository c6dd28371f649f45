import { afterEach, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { CopyResult } from '../../src/storage/object-store.ts';
import { duckdbViews } from '../integration/duckdb-views.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { liveFiles } from '../../src/storage/delta/snapshot.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { FakeInstance, at, loginRow, refs, tempStore } from './query-fixture.ts';
import { duckdbArchive } from '../integration/duckdb-archive.ts';
import { wireValue } from '../fixtures/valid-events.ts';
import { archiveLine } from '../../src/processor/io/archive-line.ts';
import type { DeadLetter } from '../../src/processor/io/dead-letter.ts';
import { readCommittedDeadLetters } from '../../src/processor/io/dead-letter-reader.ts';

const LOGIN_RATE = 'auth_realtime_login_rate';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A file store whose server-side copies fail while `failing` is set (a writer dying while it publishes). */
class FlakyCopyStore extends FileObjectStore {
  failing = false;
  override async copy(fromKey: string, toKey: string): Promise<CopyResult> {
    if (this.failing) throw new Error('copy failed');
    return super.copy(fromKey, toKey);
  }
}

/** A file store whose deletes of view files fail while `failViewDeletes` is set. */
class FlakyDeleteStore extends FileObjectStore {
  failViewDeletes = false;
  override async deleteMany(keys: readonly string[]): Promise<void> {
    if (this.failViewDeletes && keys.some((key) => key.startsWith(DEFAULT_LAYOUT.viewsPrefix)))
      throw new Error('delete failed');
    return super.deleteMany(keys);
  }
}

/** Two instances of the auth job, each having read the other's commit: both see W = 08:10. */
async function twoInstancesWithWindowReady(store: FileObjectStore) {
  const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2));
  const b = new FakeInstance(store, 'auth', 'b', refs('lms.auth', 3, 4, 5));
  const noRound = { complete: false };
  await a.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:00', 3, 1)] }, noRound);
  await b.commit(at('08:10'), { [LOGIN_RATE]: [loginRow('08:00', 1, 1)] }, noRound);
  await a.commit(at('08:10'), {}, noRound); // a's log now holds b's commit too
  expect([a.completer.watermark(), b.completer.watermark()]).toEqual([at('08:10'), at('08:10')]);
  return { a, b };
}

const merged = [
  {
    window_start: at('08:00'),
    window_end: at('08:01'),
    login_attempts: 6,
    login_successes: 4,
    login_failures: 2,
    success_rate: 4 / 6,
  },
];

describe('completion with several instances', () => {
  it('publishes a window once when two instances complete it at the same moment', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const { a, b } = await twoInstancesWithWindowReady(store);

    const outcomes = await Promise.all([a.completer.round(), b.completer.round()]);

    expect(outcomes.filter((outcome) => outcome !== undefined)).toHaveLength(1);
    expect(a.completer.latest.completion + b.completer.latest.completion).toBeGreaterThanOrEqual(1);
    expect((await duckdbViews(store, DEFAULT_LAYOUT)).get(LOGIN_RATE)).toEqual(merged);
  });

  it('publishes the files of a writer that died after its completion record, before completing more', async () => {
    const { root, remove } = await tempStore();
    cleanups.push(remove);
    const store = new FlakyCopyStore(root);
    const { a, b } = await twoInstancesWithWindowReady(store);

    store.failing = true;
    await expect(a.completer.round()).rejects.toThrow('copy failed'); // record 1 written, nothing copied
    store.failing = false;
    expect((await duckdbViews(store, DEFAULT_LAYOUT)).get(LOGIN_RATE)).toEqual([]);

    expect(await b.completer.round()).toBeUndefined(); // number 1 is taken: b copies a's files instead
    expect((await duckdbViews(store, DEFAULT_LAYOUT)).get(LOGIN_RATE)).toEqual(merged);
    expect(b.completer.latest.completion).toBe(1);
    // ... and adds them to the view's Delta table, once, as a died a before it could.
    const table = await readSnapshot({ store, root: `${DEFAULT_LAYOUT.viewsPrefix}${LOGIN_RATE}` });
    expect(liveFiles(table)).toHaveLength(1);
    expect(table.txns.get('speed-layer-auth')?.version).toBe(1);
  });

  it('deletes partial files once every row in them is published complete', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5));
    await a.commit(at('08:03'), { [LOGIN_RATE]: [loginRow('08:00', 1, 0), loginRow('08:05', 1, 1)] });
    const partials = () => store.list(`${DEFAULT_LAYOUT.partialsPrefix}${LOGIN_RATE}/`);
    expect(await partials()).toHaveLength(1); // 08:05 is not complete yet

    await a.commit(at('08:06'));

    expect(await partials()).toEqual([]);
    const rows = (await duckdbViews(store, DEFAULT_LAYOUT)).get(LOGIN_RATE)!;
    expect(rows.map((row) => row.login_attempts)).toEqual([1, 2]);
  });
});

describe('compaction of closed dates', () => {
  const day2 = (hhmm: string): number => Date.parse(`2025-01-07T${hhmm}:00.000Z`);
  const rowAt = (startMs: number, successes: number): ViewRow => ({
    window_start: startMs,
    window_end: startMs + 60_000,
    login_attempts: successes,
    login_successes: successes,
    login_failures: 0,
    success_rate: 1,
  });
  const viewFiles = async (store: FileObjectStore, date: string) =>
    (await store.list(`${DEFAULT_LAYOUT.viewsPrefix}${LOGIN_RATE}/date=${date}/`)).filter((key) =>
      key.endsWith('.parquet'),
    );

  /** Three completions of 2025-01-06 rows, then completeness past that day's end + the grace period. */
  async function closeFirstDay(store: FileObjectStore, a: FakeInstance): Promise<void> {
    for (const [index, hhmm] of ['08:00', '09:00', '10:00'].entries())
      await a.commit(at(hhmm) + 60_000, { [LOGIN_RATE]: [rowAt(at(hhmm), index + 1)] });
    expect(await viewFiles(store, '2025-01-06')).toHaveLength(3);
    await a.commit(day2('01:30'), { [LOGIN_RATE]: [rowAt(day2('00:10'), 7)] });
  }

  it('merges the files of a day that takes no new rows into one, for plain and Delta readers', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5));

    await closeFirstDay(store, a);

    const [merged, ...others] = await viewFiles(store, '2025-01-06');
    expect(others).toEqual([]);
    expect(merged).toMatch(/\/compacted-auth-\d{12}\.parquet$/);
    const rows = (await duckdbViews(store, DEFAULT_LAYOUT)).get(LOGIN_RATE)!;
    expect(rows.map((row) => row.login_attempts)).toEqual([1, 2, 3, 7]);
    const table = await readSnapshot({ store, root: `${DEFAULT_LAYOUT.viewsPrefix}${LOGIN_RATE}` });
    expect(liveFiles(table, '2025-01-06').map((add) => add.path)).toEqual([
      merged!.split(`${LOGIN_RATE}/`)[1],
    ]);
    expect(liveFiles(table, '2025-01-07')).toHaveLength(1); // its day is not over: not merged
  });

  it('leaves closed dates to the next round when a stop forces the round', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5));
    for (const [index, hhmm] of ['08:00', '09:00', '10:00'].entries())
      await a.commit(at(hhmm) + 60_000, { [LOGIN_RATE]: [rowAt(at(hhmm), index + 1)] });
    await a.commit(day2('01:30'), {}, { complete: false });

    await a.completer.round(true); // a graceful stop's round: completeness moves, no merge starts

    expect(await viewFiles(store, '2025-01-06')).toHaveLength(3);
    await a.commit(day2('01:31')); // the next instance's (or the restart's) first round merges them
    expect(await viewFiles(store, '2025-01-06')).toHaveLength(1);
  });

  it('is finished by the next writer when its writer dies before deleting the merged files', async () => {
    const { root, remove } = await tempStore();
    cleanups.push(remove);
    const store = new FlakyDeleteStore(root);
    const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5));
    store.failViewDeletes = true;
    await expect(closeFirstDay(store, a)).rejects.toThrow('delete failed');
    store.failViewDeletes = false;
    expect(await viewFiles(store, '2025-01-06')).toHaveLength(4); // merged + replaced: a plain reader sees twice

    const b = new FakeInstance(store, 'auth', 'b', refs('lms.auth', 0, 1, 2, 3, 4, 5));
    await b.commit(day2('01:31'), { [LOGIN_RATE]: [rowAt(day2('01:30'), 8)] });

    expect(await viewFiles(store, '2025-01-06')).toHaveLength(1);
    const rows = (await duckdbViews(store, DEFAULT_LAYOUT)).get(LOGIN_RATE)!;
    expect(rows.map((row) => row.login_attempts)).toEqual([1, 2, 3, 7, 8]);
  });

  it("merges a closed date's dead letters and small archive files too, once each", async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5));
    const letter = (offset: number, hhmm: string): DeadLetter => ({
      topic: 'lms.auth',
      partition: 0,
      offset,
      timestamp: at(hhmm),
      reason: 'invalid',
      message: 'test',
      key: null,
      value: new Uint8Array([0xff, offset]),
    });
    const archived = (offset: number, hhmm: string): ReadonlyMap<string, readonly string[]> => {
      const value = wireValue('logout', {
        event_id: `e-${offset}`,
        event_time: new Date(at(hhmm)).toISOString(),
      });
      const record = { partition: 1, offset, timestamp: at(hhmm), value };
      return new Map([['lms.auth', [archiveLine(record, 'accepted')]]]);
    };
    for (const [offset, hhmm] of ['08:00', '09:00', '10:00'].entries())
      await a.commit(
        at(hhmm) + 60_000,
        {},
        { deadLetters: [letter(offset, hhmm)], archive: archived(offset, hhmm) },
      );
    const dateFiles = (prefix: string) => store.list(`${prefix}lms.auth/date=2025-01-06/`);
    expect(await dateFiles(DEFAULT_LAYOUT.deadLetterPrefix)).toHaveLength(3);
    expect(await dateFiles(DEFAULT_LAYOUT.rawPrefix)).toHaveLength(3);

    await a.commit(day2('01:30'), {}, { deadLetters: [letter(3, '23:59')] });

    const [deadLetterFile, ...moreLetters] = await dateFiles(DEFAULT_LAYOUT.deadLetterPrefix);
    expect(moreLetters).toEqual([]);
    expect(deadLetterFile).toMatch(/\/compacted-auth-\d{12}\.ndjson$/);
    const letters = await readCommittedDeadLetters(store, DEFAULT_LAYOUT);
    expect(
      letters.map((read) => [read.offset, Buffer.from(read.value as Uint8Array).toString('hex')]),
    ).toEqual([
      [0, 'ff00'],
      [1, 'ff01'],
      [2, 'ff02'],
      [3, 'ff03'],
    ]);
    const [rawFile, ...moreRaw] = await dateFiles(DEFAULT_LAYOUT.rawPrefix);
    expect(moreRaw).toEqual([]);
    expect(rawFile).toMatch(/\/compacted-auth-\d{12}\.parquet$/);
    expect(await duckdbArchive(store, DEFAULT_LAYOUT)).toEqual([
      'lms.auth:1:0 accepted e-0',
      'lms.auth:1:1 accepted e-1',
      'lms.auth:1:2 accepted e-2',
    ]);
    const table = await readSnapshot({ store, root: `${DEFAULT_LAYOUT.rawPrefix}lms.auth` });
    expect(liveFiles(table).map((add) => add.path)).toEqual([rawFile!.split('lms.auth/')[1]]);
  });
});
