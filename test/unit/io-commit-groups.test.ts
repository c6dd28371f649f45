import { describe, expect, it } from 'vitest';
import { encodeCheckpoint, type CheckpointPartition } from '../../src/processor/io/checkpoint-codec.ts';
import { CommitLog } from '../../src/processor/io/checkpoint-store.ts';
import {
  CommitGroups,
  commitGroupsKey,
  readCommitGroups,
  type GroupWrite,
} from '../../src/processor/io/commit-groups.ts';
import { JobCommitter } from '../../src/processor/io/commit.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { isStorageError } from '../../src/storage/storage-error.ts';
import { tempDir } from './temp-dir.ts';

const TOPIC = 'lms.auth';
const ref = (partition: number) => ({ topic: TOPIC, partition });

function groups(store: FileObjectStore, writerId: string, count: number): CommitGroups {
  return new CommitGroups(store, { job: 'auth', writerId, groups: count, minRetentionMs: 0 });
}

/** One group's part of a commit: the partitions at `nextOffset`, one file named by the group's commit. */
function write(group: number, partitions: readonly number[], nextOffset: number): GroupWrite {
  const snapshots: CheckpointPartition[] = partitions.map((partition) => ({
    ...ref(partition),
    nextOffset,
    state: new Uint8Array([nextOffset]),
    watermarkMs: nextOffset,
  }));
  const body = Buffer.from(`offset ${nextOffset}\n`);
  return {
    group,
    snapshots,
    files: [{ dir: 'realtime_partials/_test/lms.auth', extension: 'ndjson', body }],
  };
}

async function refused(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStorageError(error, 'unsupported_version')).toBe(true);
  return (error as Error).message;
}

describe('commit groups: one commit log per fixed partition group', () => {
  it('lets writers of different groups commit at once without a conflict, each in its own log', async () => {
    const store = new FileObjectStore(tempDir('groups-'));
    const writers = [0, 1, 2, 3].map((group) => groups(store, `w${group}`, 4));
    await Promise.all(writers.map((writer, group) => writer.recover([ref(group), ref(group + 4)])));

    for (let round = 1; round <= 3; round++) {
      const results = await Promise.all(
        writers.map((writer, group) => writer.commitVisible([write(group, [group, group + 4], round)])),
      );
      for (const [result] of results) expect(result).toMatchObject({ commit: round, conflicts: 0 });
    }
    await Promise.all(writers.map((writer) => writer.tidied()));

    const keys = await store.list('');
    expect(keys.filter((key) => key.includes('/commits/')).sort()).toEqual(
      [0, 1, 2, 3].flatMap((g) =>
        [1, 2, 3].map(
          (n) => `checkpoints/speed/auth_stream/g${g}/commits/${String(n).padStart(12, '0')}.ckpt`,
        ),
      ),
    );
    expect(keys.filter((key) => key.startsWith('realtime_partials/'))).toContain(
      'realtime_partials/_test/lms.auth/auth.g2-000000000003.ndjson',
    );
    // A new owner of every partition restores each from its group's newest commit.
    const restored = await groups(store, 'next', 4).recover([0, 1, 2, 3, 4, 5, 6, 7].map(ref));
    expect(
      [...restored.values()].map((p) => [p.partition, p.nextOffset, p.commit]).sort((a, b) => a[0]! - b[0]!),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((p) => [p, 3, 3]));
  });

  it('fences a writer whose partition another committed, once its completion has read that commit', async () => {
    const store = new FileObjectStore(tempDir('groups-'));
    const zombie = groups(store, 'zombie', 2);
    await zombie.recover([ref(0), ref(1)]);
    await zombie.commitVisible([write(0, [0], 1), write(1, [1], 1)]);
    const adopter = groups(store, 'adopter', 2);
    await adopter.recover([ref(1)]);
    await adopter.commitVisible([write(1, [1], 2)]);

    await zombie.refresh(); // what a completion round does: the commit of group 1 is read here
    const error = await zombie.commitVisible([write(0, [0], 3), write(1, [1], 3)]).catch((e: unknown) => e);
    expect(isStorageError(error, 'fenced')).toBe(true);
    expect((error as Error).message).toContain('lms.auth:1 (commit 2 by writer adopter)');
    // Group 0 was not fenced (its part committed); group 1 keeps the adopter's state.
    const restored = await groups(store, 'check', 2).recover([ref(0), ref(1)]);
    expect(restored.get('lms.auth:1')).toMatchObject({ nextOffset: 2, commit: 2 });
  });

  it('records the number on the first start and refuses another, or groups over the one-log layout', async () => {
    const store = new FileObjectStore(tempDir('groups-'));
    expect(await readCommitGroups(store, DEFAULT_LAYOUT, 'auth')).toBe(1);
    await groups(store, 'a', 3).recover([ref(0)]);
    expect(await readCommitGroups(store, DEFAULT_LAYOUT, 'auth')).toBe(3);
    expect(await refused(groups(store, 'b', 2).recover([ref(0)]))).toContain(
      `job auth keeps its checkpoints in 3 commit group(s) (${commitGroupsKey(DEFAULT_LAYOUT, 'auth')}); this instance was started with 2`,
    );

    const old = new FileObjectStore(tempDir('groups-'));
    const single = new JobCommitter(old, { job: 'auth', writerId: 'old' }); // a build before commit groups
    await single.recover([ref(0)]);
    await single.commit(write(0, [0], 1).snapshots, []);
    expect(await refused(groups(old, 'new', 4).recover([ref(0)]))).toContain(
      'job auth has checkpoints in one commit log (checkpoints/speed/auth_stream/commits/)',
    );
    await groups(old, 'same', 1).recover([ref(0)]); // one group is that layout: accepted, and recorded
    expect(await readCommitGroups(old, DEFAULT_LAYOUT, 'auth')).toBe(1);
  });

  it('keeps a commit appended while another read of the log (a completion round) was listing it', async () => {
    const inner = new FileObjectStore(tempDir('groups-'));
    let listed: () => void = () => undefined;
    const listing = new Promise<void>((resolve) => (listed = resolve));
    let held = false;
    // The first listing answers only once the append below has landed (as a slow LIST would).
    const store = Object.assign(Object.create(inner) as ObjectStore, {
      async list(prefix: string) {
        const keys = await inner.list(prefix);
        if (!held) {
          held = true;
          await listing;
        }
        return keys;
      },
    });
    const log = new CommitLog(store, DEFAULT_LAYOUT, 'auth');
    const reading = log.sync();
    const checkpoint = { job: 'auth', commit: 1, writerId: 'w', createdAtMs: 0, files: [] };
    const partitions = write(0, [0], 1).snapshots as CheckpointPartition[];
    expect(
      await log.append({ ...checkpoint, partitions }, await encodeCheckpoint({ ...checkpoint, partitions })),
    ).toBe('created');
    listed();
    await reading;
    expect(log.newestHolding('lms.auth:0')).toBe(1);
    expect(log.filesOf(1)).toEqual([]);
  });
});
