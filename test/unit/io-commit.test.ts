import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobCommitter } from '../../src/processor/io/commit.ts';
import { readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { isStorageError } from '../../src/storage/storage-error.ts';
import { TOPIC, expectedRowIds, partitionsOf, runJob, visibleRows } from './io-fake-job.ts';

const roots: string[] = [];
async function makeStore(): Promise<FileObjectStore> {
  const root = await mkdtemp(join(tmpdir(), 'io-commit-'));
  roots.push(root);
  return new FileObjectStore(root);
}
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

const CHECKPOINTS = 'checkpoints/speed/auth_stream/';
/** The store, except that the first `writers` conditional puts wait for each other, so they really race. */
function withPutBarrier(store: ObjectStore, writers: number): ObjectStore {
  let waiting = 0;
  let release: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (release = resolve));
  return Object.assign(Object.create(store) as ObjectStore, {
    async putIfAbsent(key: string, body: Uint8Array) {
      if (waiting < writers) {
        waiting += 1;
        if (waiting === writers) release();
        await allArrived;
      }
      return store.putIfAbsent(key, body);
    },
  });
}

const committer = (store: ObjectStore, writerId: string, keepCommits = 5): JobCommitter =>
  new JobCommitter(store, { job: 'auth', writerId, keepCommits, minRetentionMs: 0 });

describe('JobCommitter on one writer', () => {
  it('publishes every row and dead letter once, under names derived from the commit, and leaves no staging', async () => {
    const store = await makeStore();
    const results = await runJob(committer(store, 'w1'), partitionsOf(0, 1, 2));

    expect(results.map((r) => r.commit)).toEqual([1, 2, 3]);
    const rows = await visibleRows(store, store.rootDir);
    expect(rows.map((r) => r.id).sort()).toEqual(expectedRowIds([0, 1, 2]));
    expect(new Set(rows.map((r) => r.file.replace(/.*realtime_views\//, '')))).toContain(
      'auth_realtime_active_users_1min/date=2024-02-01/auth-000000000001.parquet',
    );
    const deadLetters = await readDeadLetters(store, 'dead_letter/');
    expect(deadLetters.map((d) => `${d.partition}-${d.offset}`).sort()).toEqual([
      '0-0',
      '0-10',
      '0-5',
      '1-0',
      '1-10',
      '1-5',
      '2-0',
      '2-10',
      '2-5',
    ]);
    expect(await store.list(`${CHECKPOINTS}staging/`)).toEqual([]);
  });

  it('restores each partition from the latest commit so a restart continues instead of redoing', async () => {
    const store = await makeStore();
    await runJob(committer(store, 'w1'), partitionsOf(0, 1), 2);

    const restored = await committer(store, 'w2').recover(partitionsOf(0, 1, 5));
    expect(restored.get(`${TOPIC}:0`)?.nextOffset).toBe(8);
    expect(restored.get(`${TOPIC}:0`)?.commit).toBe(2);
    expect(JSON.parse(restored.get(`${TOPIC}:1`)!.state.toString())).toEqual({ to: 8 });
    expect(restored.has(`${TOPIC}:5`)).toBe(false);
  });

  it('keeps only the last few commits', async () => {
    const store = await makeStore();
    await runJob(committer(store, 'w1', 2), partitionsOf(0));
    expect(await store.list(`${CHECKPOINTS}commits/`)).toEqual([
      `${CHECKPOINTS}commits/000000000002.ckpt`,
      `${CHECKPOINTS}commits/000000000003.ckpt`,
    ]);
  });

  it('makes the files visible before the tidy-up, which the next commit waits for; a tidy-up failure is reported', async () => {
    const store = await makeStore();
    let failDeletes = false;
    const flaky = Object.assign(Object.create(store) as ObjectStore, {
      async deleteMany(keys: readonly string[]) {
        if (failDeletes) throw new Error('delete refused');
        return store.deleteMany(keys);
      },
    });
    const writer = committer(flaky, 'w1', 1);
    await writer.recover(partitionsOf(0));
    const snapshot = (nextOffset: number) => [
      { topic: TOPIC, partition: 0, nextOffset, state: Buffer.alloc(0) },
    ];
    const file = (n: number) => ({
      dir: `dead_letter/${TOPIC}/date=2024-02-01`,
      extension: 'ndjson',
      body: Buffer.from(`{"n":${n}}\n`),
    });

    const first = await writer.commitVisible(snapshot(1), [file(1)]);
    expect(await store.get(first.published[0]!)).toEqual(Buffer.from('{"n":1}\n'));
    const second = await writer.commitVisible(snapshot(2), [file(2)]); // waits for the first tidy-up
    await writer.tidied();
    expect(second.commit).toBe(2);
    expect(await store.list(`${CHECKPOINTS}staging/`)).toEqual([]);
    expect(await store.list(`${CHECKPOINTS}commits/`)).toEqual([`${CHECKPOINTS}commits/000000000002.ckpt`]);

    failDeletes = true;
    await writer.commitVisible(snapshot(3), [file(3)]);
    await expect(writer.tidied()).rejects.toThrow(/delete refused/);
    failDeletes = false;
    await writer.tidied(); // reported once
  });

  it('refuses to commit a partition it never recovered', async () => {
    const store = await makeStore();
    const writer = committer(store, 'w1');
    await writer.recover(partitionsOf(0));
    await expect(
      writer.commit([{ topic: TOPIC, partition: 1, nextOffset: 1, state: Buffer.alloc(0) }], []),
    ).rejects.toThrow(/lms.auth-1 is not owned/);
  });
});

describe('JobCommitter with two writers sharing a job', () => {
  it('lets writers of disjoint partitions interleave, and a newcomer restores each partition from its newest commit', async () => {
    const store = await makeStore();
    const a = committer(store, 'a', 1);
    const b = committer(store, 'b', 1);
    await b.recover(partitionsOf(2));
    const bFirst = await b.commit(
      [{ topic: TOPIC, partition: 2, nextOffset: 3, state: Buffer.from('b-state') }],
      [],
    );
    await runJob(a, partitionsOf(0, 1)); // commits 2, 3, 4 and prunes with keepCommits = 1
    const bSecond = await b.commit(
      [{ topic: TOPIC, partition: 2, nextOffset: 4, state: Buffer.from('b-state-2') }],
      [],
    );

    expect(bFirst.commit).toBe(1);
    expect(bSecond.commit).toBe(5);
    const restored = await committer(store, 'c').recover(partitionsOf(0, 1, 2));
    expect(restored.get(`${TOPIC}:0`)).toMatchObject({ nextOffset: 12, commit: 4 });
    expect(restored.get(`${TOPIC}:2`)?.state.toString()).toBe('b-state-2');
  });

  it('lets writers of disjoint partitions commit at the same moment: one takes the next number, the other retries', async () => {
    const store = await makeStore();
    const racing = withPutBarrier(store, 2);
    const [a, b] = [committer(racing, 'a'), committer(racing, 'b')];
    await a.recover(partitionsOf(0));
    await b.recover(partitionsOf(1));
    const snapshot = (partition: number) => [
      { topic: TOPIC, partition, nextOffset: 1, state: Buffer.from('s') },
    ];
    const results = await Promise.all([a.commit(snapshot(0), []), b.commit(snapshot(1), [])]);

    expect(results.map((r) => r.commit).sort()).toEqual([1, 2]);
    expect(results.map((r) => r.attempts).sort()).toEqual([1, 2]);
  });

  it('keeps the newest commit of a partition nobody committed lately, however many commits follow', async () => {
    const store = await makeStore();
    const b = committer(store, 'b', 1);
    await b.recover(partitionsOf(2));
    await b.commit([{ topic: TOPIC, partition: 2, nextOffset: 7, state: Buffer.from('quiet') }], []);
    await runJob(committer(store, 'a', 1), partitionsOf(0));

    const restored = await committer(store, 'c').recover(partitionsOf(2));
    expect(restored.get(`${TOPIC}:2`)).toMatchObject({ nextOffset: 7, commit: 1 });
  });

  it('fences a zombie that commits a partition another writer has since committed, and publishes none of its rows', async () => {
    const store = await makeStore();
    const zombie = committer(store, 'zombie');
    await runJob(zombie, partitionsOf(0), 1); // commit 1: offsets 0..3
    const adopter = committer(store, 'adopter');
    await runJob(adopter, partitionsOf(0)); // adopts partition 0 from commit 1 and finishes it

    let caught: unknown;
    try {
      await zombie.commit([{ topic: TOPIC, partition: 0, nextOffset: 8, state: Buffer.from('stale') }], []);
    } catch (error) {
      caught = error;
    }
    expect(isStorageError(caught, 'fenced')).toBe(true);
    expect((caught as Error).message).toMatch(/lms.auth:0 \(commit 2 by writer adopter\)/);
    const ids = (await visibleRows(store, store.rootDir)).map((r) => r.id).sort();
    expect(ids).toEqual(expectedRowIds([0]));
    expect(await store.list(`${CHECKPOINTS}staging/`)).toEqual([]);
  });

  it('lets exactly one of two writers racing on the same partition and number commit; the other is fenced', async () => {
    const store = await makeStore();
    const racing = withPutBarrier(store, 2);
    const [a, b] = [committer(racing, 'a'), committer(racing, 'b')];
    await a.recover(partitionsOf(0));
    await b.recover(partitionsOf(0));
    const snapshot = (state: string) => [
      { topic: TOPIC, partition: 0, nextOffset: 1, state: Buffer.from(state) },
    ];
    const outcomes = await Promise.allSettled([a.commit(snapshot('a'), []), b.commit(snapshot('b'), [])]);

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect(isStorageError(rejected?.reason, 'fenced')).toBe(true);
    expect(await store.list(`${CHECKPOINTS}commits/`)).toEqual([`${CHECKPOINTS}commits/000000000001.ckpt`]);
  });
});
