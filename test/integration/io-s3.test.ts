/**
 * The storage layer against the real S3 server of the stack: the ObjectStore laws, the commit protocol,
 * crash + recovery, and the conditional-put race between two writers. Each test works under its own
 * random root prefix in the stack's bucket and deletes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { JobCommitter } from '../../src/processor/io/commit.ts';
import { readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { isStorageError } from '../../src/storage/storage-error.ts';
import { createS3Client } from '../../src/stack/s3-client.ts';
import {
  Crash,
  CrashingStore,
  TOPIC,
  VIEW,
  expectedRowIds,
  partitionsOf,
  runJob,
} from '../unit/io-fake-job.ts';
import { storeLaws } from '../unit/io-store-laws.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const client = createS3Client(endpoints.s3);
const stores: S3ObjectStore[] = [];

function makeStore(): Promise<S3ObjectStore> {
  const store = new S3ObjectStore(client, endpoints.s3.bucket, {
    rootPrefix: `io-test-${randomBytes(5).toString('hex')}`,
  });
  stores.push(store);
  return Promise.resolve(store);
}

afterAll(async () => {
  for (const store of stores) await store.deleteMany(await store.list(''));
  client.destroy();
});

async function visibleRowIds(store: ObjectStore): Promise<string[]> {
  const ids: string[] = [];
  for (const key of await store.list(`realtime_views/${VIEW}/`)) {
    if (!key.endsWith('.parquet')) continue;
    const { rows } = await readParquet((await store.get(key))!);
    ids.push(...rows.map((row) => String(row._row_id)));
  }
  return ids.sort();
}

const committer = (store: ObjectStore, writerId: string): JobCommitter =>
  new JobCommitter(store, { job: 'auth', writerId, keepCommits: 2, minRetentionMs: 0 });

describe('S3ObjectStore', () => {
  storeLaws(makeStore);

  it('turns a missing bucket into a StorageError with code no_such_root', async () => {
    const store = new S3ObjectStore(client, `no-such-bucket-${randomBytes(4).toString('hex')}`, {
      maxAttempts: 1,
    });
    const failure = await store.put('k', Buffer.from('x')).catch((error: unknown) => error);
    expect(isStorageError(failure)).toBe(true);
    expect((failure as Error).message).toContain('put s3://no-such-bucket-');
  });
});

describe('commit protocol on S3', () => {
  it('publishes every row and dead letter once and leaves no staging', async () => {
    const store = await makeStore();
    const results = await runJob(committer(store, 'w1'), partitionsOf(0, 1, 2));

    expect(results.map((r) => r.commit)).toEqual([1, 2, 3]);
    expect(await visibleRowIds(store)).toEqual(expectedRowIds([0, 1, 2]));
    expect(await readDeadLetters(store, 'dead_letter/')).toHaveLength(9);
    expect(await store.list('checkpoints/speed/auth_stream/staging/')).toEqual([]);
  });

  it.each(['putIfAbsent', 'copy', 'deleteMany'])(
    'recovers exactly once after the writer dies right after its first %s of commit 2',
    async (operation) => {
      const store = await makeStore();
      let commitsSeen = 0;
      const crashing = new CrashingStore(
        store,
        (_, op) => {
          if (op === 'putIfAbsent') commitsSeen += 1;
          return op === operation && commitsSeen === 2;
        },
        'after',
      );
      await expect(runJob(committer(crashing, 'first'), partitionsOf(0, 1))).rejects.toBeInstanceOf(Crash);
      const midway = await visibleRowIds(store);
      expect(new Set(midway).size).toBe(midway.length);

      await runJob(committer(store, 'second'), partitionsOf(0, 1));
      expect(await visibleRowIds(store)).toEqual(expectedRowIds([0, 1]));
    },
  );

  it('lets one of two writers racing for the same number and partition commit and fences the other', async () => {
    const store = await makeStore();
    const [a, b] = [committer(store, 'a'), committer(store, 'b')];
    await a.recover(partitionsOf(0));
    await b.recover(partitionsOf(0));
    const snapshot = (state: string) => [
      { topic: TOPIC, partition: 0, nextOffset: 1, state: Buffer.from(state) },
    ];
    const outcomes = await Promise.allSettled([a.commit(snapshot('a'), []), b.commit(snapshot('b'), [])]);

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const loser = outcomes.find((o) => o.status === 'rejected');
    expect(isStorageError(loser?.reason, 'fenced')).toBe(true);
    expect(await store.list('checkpoints/speed/auth_stream/commits/')).toHaveLength(1);
  });

  it('answers exists to the second of two conditional puts of one key sent at the same moment', async () => {
    const store = await makeStore();
    const results = await Promise.all([
      store.putIfAbsent('checkpoints/race.ckpt', Buffer.from('a')),
      store.putIfAbsent('checkpoints/race.ckpt', Buffer.from('b')),
    ]);
    expect(results.sort()).toEqual(['created', 'exists']);
  });
});
