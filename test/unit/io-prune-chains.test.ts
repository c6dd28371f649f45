import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckpointPartition } from '../../src/processor/io/checkpoint-codec.ts';
import { JobCommitter } from '../../src/processor/io/commit.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { commitsPrefix, DEFAULT_LAYOUT } from '../../src/storage/layout.ts';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

async function setUp(): Promise<{ store: FileObjectStore; committer: JobCommitter }> {
  const root = await mkdtemp(join(tmpdir(), 'io-prune-chains-'));
  roots.push(root);
  const store = new FileObjectStore(root);
  const committer = new JobCommitter(store, {
    job: 'auth',
    writerId: 'w',
    keepCommits: 1,
    minRetentionMs: 0,
  });
  await committer.recover([
    { topic: 'lms.auth', partition: 0 },
    { topic: 'lms.auth', partition: 1 },
  ]);
  return { store, committer };
}

function state(partition: number, label: string, baseCommit?: number): CheckpointPartition {
  const snapshot: CheckpointPartition = {
    topic: 'lms.auth',
    partition,
    nextOffset: 1,
    state: Buffer.from(label),
  };
  if (baseCommit !== undefined) snapshot.baseCommit = baseCommit;
  return snapshot;
}

async function commitNumbers(store: FileObjectStore): Promise<number[]> {
  const keys = await store.list(commitsPrefix(DEFAULT_LAYOUT, 'auth'));
  return keys.map((key) => Number(/(\d+)\.ckpt$/.exec(key)![1])).sort((a, b) => a - b);
}

describe('pruning with incremental partition states', () => {
  it('keeps every commit of a partition from the base its newest state needs, and drops them once a full state supersedes it', async () => {
    const { store, committer } = await setUp();
    await committer.commit([state(0, 'p0 full')], []); // 1
    await committer.commit([state(0, 'p0 delta', 1)], []); // 2
    await committer.commit([state(0, 'p0 delta', 1)], []); // 3
    for (let index = 0; index < 3; index++) await committer.commit([state(1, `p1 full ${index}`)], []); // 4..6

    expect(await commitNumbers(store)).toEqual([1, 2, 3, 6]);
    expect((await committer.readPartition(1, { topic: 'lms.auth', partition: 0 })).state.toString()).toBe(
      'p0 full',
    );

    await committer.commit([state(0, 'p0 full again')], []); // 7
    await committer.commit([state(1, 'p1 full 3')], []); // 8
    expect(await commitNumbers(store)).toEqual([7, 8]);
  });

  it('reports a chain link that is gone instead of restoring without it', async () => {
    const { committer } = await setUp();
    await committer.commit([state(1, 'p1')], []);
    await expect(committer.readPartition(1, { topic: 'lms.auth', partition: 0 })).rejects.toThrow(
      /commit 1 of auth does not hold lms.auth-0/,
    );
  });
});
