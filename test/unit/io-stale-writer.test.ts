/**
 * A writer whose view of a numbered log is old must not take a number that others used and pruned
 * meanwhile (io/log-freshness.ts): its record would stand in for the pruned one, and its files would
 * land on that record's final keys. Both logs are checked: the commit log, with a writer stalled while it
 * stages, and the completion log, with a writer that last looked long ago. A restore whose newest commit
 * is pruned under it (the previous owner committed the partition once more) reads the newer one.
 */
import { describe, expect, it } from 'vitest';
import { JobCommitter } from '../../src/processor/io/commit.ts';
import {
  CompletionLog,
  COMPLETION_RETENTION_MS,
  initialCompletion,
  type CompletionRecord,
} from '../../src/processor/io/completion-log.ts';
import { LogFreshness } from '../../src/processor/io/log-freshness.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { commitKey, completionKey, DEFAULT_LAYOUT, type OutputFile } from '../../src/storage/layout.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { tempDir } from './temp-dir.ts';

const TOPIC = 'lms.auth';
const snapshot = (partition: number) => [
  { topic: TOPIC, partition, nextOffset: 1, state: Buffer.from(`state-${partition}`) },
];
const files = (writer: string): OutputFile[] => [
  { dir: `realtime_partials/v1/${writer}`, extension: 'parquet', body: new Uint8Array(10).fill(1) },
];

/** The store, except that the first staged put runs `meanwhile` before it goes on (a stalled writer). */
function stallingOnStage(store: ObjectStore, meanwhile: () => Promise<void>): ObjectStore {
  let stalled = false;
  return Object.assign(Object.create(store) as ObjectStore, {
    async put(key: string, body: Uint8Array) {
      if (!stalled && key.includes('/staging/')) {
        stalled = true;
        await meanwhile();
      }
      return store.put(key, body);
    },
  });
}

describe('a stale writer', () => {
  it('does not re-take a commit number that others used and pruned while it was staging', async () => {
    const store = new FileObjectStore(tempDir('io-stale-writer-'));
    // No retention and one commit kept: a commit is pruned as soon as a newer one holds its partitions.
    const options = { job: 'auth', minRetentionMs: 0, keepCommits: 1 } as const;
    const other = new JobCommitter(store, { ...options, writerId: 'b' });
    await other.recover([{ topic: TOPIC, partition: 1 }]);
    const stalled = new JobCommitter(
      stallingOnStage(store, async () => {
        for (let i = 0; i < 3; i++) await other.commit(snapshot(1), files('b'));
      }),
      { ...options, writerId: 'a' },
    );
    await stalled.recover([{ topic: TOPIC, partition: 0 }]);

    const result = await stalled.commit(snapshot(0), files('a'));

    // The other writer took 1, 2 and 3 and pruned 1 and 2; number 1 stays free.
    expect(result.commit).toBe(4);
    expect(await store.exists(commitKey(DEFAULT_LAYOUT, 'auth', 1))).toBe(false);
    expect(await store.exists(commitKey(DEFAULT_LAYOUT, 'auth', 4))).toBe(true);
  });

  it.each([
    ['its listing of the log', 1],
    ['the read of the state', 2],
  ])(
    'restores a partition from the newer commit when the newest is pruned before %s',
    async (_when, read) => {
      const store = new FileObjectStore(tempDir('io-stale-writer-'));
      const options = { job: 'auth', minRetentionMs: 0, keepCommits: 1 } as const;
      const previous = new JobCommitter(store, { ...options, writerId: 'a' });
      await previous.recover([{ topic: TOPIC, partition: 0 }]);
      await previous.commit(snapshot(0), files('a'));
      let pruned = false;
      let reads = 0;
      const racing = Object.assign(Object.create(store) as ObjectStore, {
        async get(key: string) {
          if (key === commitKey(DEFAULT_LAYOUT, 'auth', 1) && ++reads === read) {
            pruned = true;
            // The previous owner's last commit lands, and pruning removes the one the adopter listed.
            await previous.commit([{ ...snapshot(0)[0]!, nextOffset: 2 }], files('a'));
          }
          return store.get(key);
        },
      });
      const adopter = new JobCommitter(racing, { ...options, writerId: 'b' });

      const restored = await adopter.recover([{ topic: TOPIC, partition: 0 }]);

      expect(pruned).toBe(true);
      expect(await store.exists(commitKey(DEFAULT_LAYOUT, 'auth', 1))).toBe(false);
      expect(restored.get(`${TOPIC}:0`)).toMatchObject({ commit: 2, nextOffset: 2 });
    },
  );

  it('does not re-take a completion number that others used and pruned since it last looked', async () => {
    const store = new FileObjectStore(tempDir('io-stale-writer-'));
    const record = (completion: number, writerId: string): CompletionRecord => ({
      ...initialCompletion('auth'),
      completion,
      writerId,
      createdAtMs: 0,
      completedThroughMs: completion * 60_000,
    });
    let clockMs = 0;
    const stale = new CompletionLog(
      store,
      DEFAULT_LAYOUT,
      'auth',
      new LogFreshness(COMPLETION_RETENTION_MS / 2, () => clockMs),
    );
    await stale.sync();
    const other = new CompletionLog(store, DEFAULT_LAYOUT, 'auth');
    for (let completion = 1; completion <= 7; completion++)
      expect(await other.append(record(completion, 'b'))).toBe('created');

    // Records younger than the retention stay, whatever their number.
    await other.prune(5, COMPLETION_RETENTION_MS - 1);
    expect(await store.exists(completionKey(DEFAULT_LAYOUT, 'auth', 1))).toBe(true);
    await other.prune(5, COMPLETION_RETENTION_MS);
    expect(await store.exists(completionKey(DEFAULT_LAYOUT, 'auth', 1))).toBe(false);

    clockMs = COMPLETION_RETENTION_MS / 2;
    expect(stale.fresh).toBe(false);
    expect(await stale.append(record(1, 'a'))).toBe('exists');
    expect(await store.exists(completionKey(DEFAULT_LAYOUT, 'auth', 1))).toBe(false);
    expect(stale.latest.completion).toBe(7);
    expect(stale.fresh).toBe(true);
    expect(await stale.append(record(8, 'a'))).toBe('created');
  });
});
