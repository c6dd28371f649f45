/**
 * The commit protocol on the file store: putIfAbsent of the next version, retry after a lost race, txn
 * idempotency, compaction conflicts. Races are made deterministic by pausing one writer right before
 * its conditional put until the other has committed.
 */
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import type { ParquetColumn } from '../../src/storage/parquet-columns.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { encodeCommit } from '../../src/storage/delta/actions.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import type { CommitResult } from '../../src/storage/delta/commit.ts';
import { compactPartition } from '../../src/storage/delta/compact-partition.ts';
import type { DataFile } from '../../src/storage/delta/data-file.ts';
import { isDeltaError, type DeltaErrorCode } from '../../src/storage/delta/delta-error.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { liveFiles } from '../../src/storage/delta/snapshot.ts';
import { commitKey, type DeltaTable } from '../../src/storage/delta/table-keys.ts';
import { tempDir } from './temp-dir.ts';

const COLUMNS: ParquetColumn[] = [
  { name: 'window_start', type: 'timestamp' },
  { name: 'events', type: 'int64' },
];
const ROOT = 'realtime_views/v';

const file = (name: string, date = '2025-01-01'): DataFile => ({
  path: `date=${date}/${name}.parquet`,
  sizeBytes: 100,
  modificationTimeMs: 1_000,
});

const append = (
  table: DeltaTable,
  name: string,
  txn?: { appId: string; version: number },
): Promise<CommitResult> =>
  appendFiles(table, { columns: COLUMNS, files: [file(name)], ...(txn && { txn }) });

/** The store with its putIfAbsent replaced. */
function withPutIfAbsent(store: ObjectStore, putIfAbsent: ObjectStore['putIfAbsent']): ObjectStore {
  return {
    url: store.url,
    put: (key, body) => store.put(key, body),
    putIfAbsent,
    get: (key) => store.get(key),
    exists: (key) => store.exists(key),
    copy: (from, to) => store.copy(from, to),
    list: (prefix) => store.list(prefix),
    deleteMany: (keys) => store.deleteMany(keys),
  };
}

/** The store, except that the first putIfAbsent of a commit waits for `release()` (after `paused`). */
function pausedBeforeFirstCommit(store: ObjectStore): {
  store: ObjectStore;
  paused: Promise<void>;
  release(): void;
} {
  let onPaused = (): void => undefined;
  let release = (): void => undefined;
  const paused = new Promise<void>((resolve) => (onPaused = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let waited = false;
  const wrapped = withPutIfAbsent(store, async (key, body) => {
    if (!waited && key.endsWith('.json')) {
      waited = true;
      onPaused();
      await released;
    }
    return store.putIfAbsent(key, body);
  });
  return { store: wrapped, paused, release };
}

/** Writer A reads the log and pauses before its put; writer B commits; then A goes on. */
async function race(
  store: ObjectStore,
  slow: (table: DeltaTable) => Promise<CommitResult>,
  fast: (table: DeltaTable) => Promise<CommitResult>,
): Promise<{ slow: PromiseSettledResult<CommitResult>; fast: CommitResult }> {
  const gate = pausedBeforeFirstCommit(store);
  const slowDone = Promise.allSettled([slow({ store: gate.store, root: ROOT })]);
  await gate.paused;
  const fastResult = await fast({ store, root: ROOT });
  gate.release();
  const [slowResult] = await slowDone;
  return { slow: slowResult!, fast: fastResult };
}

async function expectDeltaError(
  promise: Promise<unknown>,
  code: DeltaErrorCode,
  message: RegExp,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isDeltaError(error, code), String(error)).toBe(true);
  expect(String(error)).toMatch(message);
}

function newStore(): FileObjectStore {
  return new FileObjectStore(tempDir('delta-commit-'));
}

describe('commit', () => {
  it('retries at the next version when another writer took its version first', async () => {
    const store = newStore();
    await append({ store, root: ROOT }, 'first');

    const { slow, fast } = await race(
      store,
      (table) => append(table, 'slow'),
      (table) => append(table, 'fast'),
    );

    expect(fast).toMatchObject({ outcome: 'committed', version: 1, attempts: 1 });
    expect(slow).toMatchObject({
      status: 'fulfilled',
      value: { outcome: 'committed', version: 2, attempts: 2 },
    });
    const snapshot = await readSnapshot({ store, root: ROOT });
    expect(liveFiles(snapshot).map((add) => add.path)).toEqual(
      ['fast', 'first', 'slow'].map((name) => file(name).path),
    );
  });

  it('lets writers racing to create the table all commit, once each', async () => {
    const store = newStore();
    const names = ['a', 'b', 'c', 'd', 'e'];

    const results = await Promise.all(names.map((name) => append({ store, root: ROOT }, name)));

    expect(results.map((result) => result.version).sort()).toEqual([0, 1, 2, 3, 4]);
    const snapshot = await readSnapshot({ store, root: ROOT });
    expect(snapshot.files.size).toBe(names.length);
    expect(snapshot.metaData?.id).toBeDefined();
  });

  it('skips a commit whose txn the table already records at that version or later', async () => {
    const store = newStore();
    const table: DeltaTable = { store, root: ROOT };
    await append(table, 'c5', { appId: 'auth', version: 5 });

    const again = await append(table, 'c5-again', { appId: 'auth', version: 5 });
    const older = await append(table, 'c4', { appId: 'auth', version: 4 });
    const otherApp = await append(table, 'video-4', { appId: 'video', version: 4 });
    const newer = await append(table, 'c6', { appId: 'auth', version: 6 });

    expect(again).toMatchObject({ outcome: 'skipped', reason: 'txn_already_committed', version: 0 });
    expect(older).toMatchObject({ outcome: 'skipped', version: 0 });
    expect(otherApp).toMatchObject({ outcome: 'committed', version: 1 });
    expect(newer).toMatchObject({ outcome: 'committed', version: 2 });
    const snapshot = await readSnapshot(table);
    expect(liveFiles(snapshot).map((add) => add.path)).toEqual(
      ['c5', 'c6', 'video-4'].map((n) => file(n).path),
    );
    expect(snapshot.txns.get('auth')?.version).toBe(6);
  });

  it('adds the work of one txn once when two writers publish it at the same time', async () => {
    const store = newStore();
    await append({ store, root: ROOT }, 'c1', { appId: 'auth', version: 1 });

    const { slow, fast } = await race(
      store,
      (table) => append(table, 'c2', { appId: 'auth', version: 2 }),
      (table) => append(table, 'c2', { appId: 'auth', version: 2 }),
    );

    expect(fast).toMatchObject({ outcome: 'committed', version: 1 });
    expect(slow).toMatchObject({ status: 'fulfilled', value: { outcome: 'skipped', version: 1 } });
    expect((await readSnapshot({ store, root: ROOT })).version).toBe(1);
  });

  it('fails a compaction with conflict when a concurrent compaction already replaced its files', async () => {
    const store = newStore();
    await append({ store, root: ROOT }, 'a');
    await append({ store, root: ROOT }, 'b');
    const replaced = [file('a').path, file('b').path];

    const { slow, fast } = await race(
      store,
      (table) => compactPartition(table, { replaced, merged: file('merged-by-slow') }),
      (table) => compactPartition(table, { replaced, merged: file('merged-by-fast') }),
    );

    expect(fast).toMatchObject({ outcome: 'committed', version: 2 });
    expect(slow.status).toBe('rejected');
    await expectDeltaError(
      Promise.reject((slow as PromiseRejectedResult).reason),
      'conflict',
      /date=2025-01-01\/a.parquet is no longer live at version 2/,
    );
    const snapshot = await readSnapshot({ store, root: ROOT });
    expect(liveFiles(snapshot).map((add) => add.path)).toEqual([file('merged-by-fast').path]);
  });

  it('lets an append and a compaction of the same partition both commit', async () => {
    const store = newStore();
    await append({ store, root: ROOT }, 'a');

    const { slow, fast } = await race(
      store,
      (table) => compactPartition(table, { replaced: [file('a').path], merged: file('merged') }),
      (table) => append(table, 'new'),
    );

    expect(fast).toMatchObject({ outcome: 'committed', version: 1 });
    expect(slow).toMatchObject({ status: 'fulfilled', value: { outcome: 'committed', version: 2 } });
    const snapshot = await readSnapshot({ store, root: ROOT });
    expect(liveFiles(snapshot).map((add) => add.path)).toEqual([file('merged').path, file('new').path]);
  });

  it('recognises its own commit when the store answers exists to a put that went through', async () => {
    const store = newStore();
    // A retried conditional put whose first try succeeded but whose answer was lost.
    const lostAnswer = withPutIfAbsent(store, async (key, body) => {
      await store.putIfAbsent(key, body);
      return 'exists';
    });

    const result = await append({ store: lostAnswer, root: ROOT }, 'a');

    expect(result).toMatchObject({ outcome: 'committed', version: 0, attempts: 1 });
    expect((await readSnapshot({ store, root: ROOT })).version).toBe(0);
  });

  it('gives up with a retryable too_many_conflicts when every version it tries is taken', async () => {
    const store = newStore();
    const alwaysTaken = withPutIfAbsent(store, () => Promise.resolve('exists'));

    await expectDeltaError(
      appendFiles(
        { store: alwaysTaken, root: ROOT },
        { columns: COLUMNS, files: [file('a')] },
        { maxAttempts: 3 },
      ),
      'too_many_conflicts',
      /took 3 versions in a row/,
    );
  });

  it('refuses to write a different schema into an existing table', async () => {
    const store = newStore();
    await append({ store, root: ROOT }, 'a');

    await expectDeltaError(
      appendFiles(
        { store, root: ROOT },
        { columns: [...COLUMNS, { name: 'extra', type: 'double' }], files: [file('b')] },
      ),
      'schema_mismatch',
      /schema evolution is not supported/,
    );
  });

  it('refuses to write to or read a table of a newer protocol', async () => {
    const store = newStore();
    const table: DeltaTable = { store, root: ROOT };
    await append(table, 'a');
    await store.putIfAbsent(
      commitKey(table, 1),
      encodeCommit([{ protocol: { minReaderVersion: 1, minWriterVersion: 7 } }]),
    );

    await expectDeltaError(append(table, 'b'), 'unsupported_protocol', /needs reader 1 \/ writer 7/);
    await expect(readSnapshot(table)).resolves.toMatchObject({ version: 1 });

    await store.putIfAbsent(
      commitKey(table, 2),
      encodeCommit([{ protocol: { minReaderVersion: 3, minWriterVersion: 7 } }]),
    );
    await expectDeltaError(readSnapshot(table), 'unsupported_protocol', /needs reader 3/);
  });

  it('refuses an append without files and a compaction of a table that does not exist', async () => {
    const table: DeltaTable = { store: newStore(), root: ROOT };

    await expectDeltaError(
      appendFiles(table, { columns: COLUMNS, files: [] }),
      'invalid_request',
      /without files/,
    );
    await expectDeltaError(
      compactPartition(table, { replaced: [file('a').path], merged: file('m') }),
      'invalid_request',
      /does not exist/,
    );
  });
});
