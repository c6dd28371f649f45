/**
 * Kill the writer at every mutating storage call of a run (before and after the call takes effect), then
 * check what DuckDB sees listing realtime_views/ directly, recover with a new writer and finish the run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobCommitter } from '../../src/processor/io/commit.ts';
import { readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import {
  BATCH_RECORDS,
  Crash,
  CrashingStore,
  commitOfFile,
  expectedRowIds,
  isRejected,
  partitionsOf,
  runJob,
  visibleRows,
} from './io-fake-job.ts';

const PARTITIONS = [0, 1, 2];
const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

const newCommitter = (store: FileObjectStore | CrashingStore, writerId: string): JobCommitter =>
  new JobCommitter(store, { job: 'auth', writerId, keepCommits: 2, minRetentionMs: 0 });

async function mutationsOfCleanRun(): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'io-crash-'));
  roots.push(root);
  const counting = new CrashingStore(new FileObjectStore(root), Number.POSITIVE_INFINITY, 'before');
  await runJob(newCommitter(counting, 'clean'), partitionsOf(...PARTITIONS));
  return counting.mutationCount;
}

/** After a crash: no row twice, and only rows of batches whose checkpoint was written. */
async function expectOnlyCommittedRowsOnce(store: FileObjectStore, crashing: CrashingStore): Promise<void> {
  const rows = await visibleRows(store, store.rootDir);
  const ids = rows.map((row) => row.id);
  expect(new Set(ids).size).toBe(ids.length);
  const committedBatches = crashing.createdCommits.length; // one writer: commit N holds batch N
  expect(rows.every((row) => commitOfFile(row.file) <= committedBatches)).toBe(true);
  const committed = new Set(expectedRowIds(PARTITIONS, committedBatches * BATCH_RECORDS));
  expect(ids.filter((id) => !committed.has(id))).toEqual([]);
}

describe('recovery after a crash at any step of the commit protocol', async () => {
  const mutations = await mutationsOfCleanRun();
  const cases = Array.from({ length: mutations }, (_, index) => index + 1).flatMap((crashAt) =>
    (['before', 'after'] as const).map((mode) => ({ crashAt, mode })),
  );

  it.each(cases)(
    'yields every row and dead letter exactly once when the writer dies $mode mutation $crashAt',
    async ({ crashAt, mode }) => {
      const root = await mkdtemp(join(tmpdir(), 'io-crash-'));
      roots.push(root);
      const store = new FileObjectStore(root);
      const crashing = new CrashingStore(store, crashAt, mode);

      await expect(
        runJob(newCommitter(crashing, 'first'), partitionsOf(...PARTITIONS)),
      ).rejects.toBeInstanceOf(Crash);
      await expectOnlyCommittedRowsOnce(store, crashing);
      await runJob(newCommitter(store, 'second'), partitionsOf(...PARTITIONS));

      const ids = (await visibleRows(store, root)).map((row) => row.id).sort();
      expect(ids).toEqual(expectedRowIds(PARTITIONS));
      const deadLetters = (await readDeadLetters(store, 'dead_letter/')).map(
        (d) => `${d.partition}-${d.offset}`,
      );
      const expectedDead = PARTITIONS.flatMap((p) => [0, 5, 10].filter(isRejected).map((o) => `${p}-${o}`));
      expect(deadLetters.sort()).toEqual(expectedDead.sort());
      expect(await store.list('checkpoints/speed/auth_stream/staging/')).toEqual([]);
    },
  );
});

describe('recovery that itself crashes', async () => {
  /** First writer dies right after writing checkpoint 2, before publishing any of its files. */
  async function crashedAfterSecondCheckpoint(): Promise<FileObjectStore> {
    const root = await mkdtemp(join(tmpdir(), 'io-crash-'));
    roots.push(root);
    const store = new FileObjectStore(root);
    const afterCheckpoint2 = (_: number, operation: string, key: string): boolean =>
      operation === 'putIfAbsent' && key.endsWith('/000000000002.ckpt');
    const crashing = new CrashingStore(store, afterCheckpoint2, 'after');
    await expect(runJob(newCommitter(crashing, 'first'), partitionsOf(...PARTITIONS))).rejects.toBeInstanceOf(
      Crash,
    );
    expect(crashing.createdCommits).toHaveLength(2);
    expect((await store.list('checkpoints/speed/auth_stream/staging/')).length).toBeGreaterThan(0);
    return store;
  }

  const probeStore = await crashedAfterSecondCheckpoint();
  const counting = new CrashingStore(probeStore, Number.POSITIVE_INFINITY, 'before');
  await runJob(newCommitter(counting, 'count'), partitionsOf(...PARTITIONS));
  const cases = Array.from({ length: counting.mutationCount }, (_, index) => index + 1);

  it.each(cases)(
    'still yields every row exactly once when the recovering writer dies at mutation %i',
    async (crashAt) => {
      const store = await crashedAfterSecondCheckpoint();
      const crashing = new CrashingStore(store, crashAt, 'before');
      await expect(
        runJob(newCommitter(crashing, 'second'), partitionsOf(...PARTITIONS)),
      ).rejects.toBeInstanceOf(Crash);
      const midway = (await visibleRows(store, store.rootDir)).map((row) => row.id);
      expect(new Set(midway).size).toBe(midway.length);

      await runJob(newCommitter(store, 'third'), partitionsOf(...PARTITIONS));
      expect((await visibleRows(store, store.rootDir)).map((row) => row.id).sort()).toEqual(
        expectedRowIds(PARTITIONS),
      );
    },
  );
});
