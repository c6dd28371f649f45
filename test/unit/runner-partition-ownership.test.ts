import { describe, expect, it } from 'vitest';
import { JobEngine } from '../../src/processor/engine/job-engine.ts';
import { partitionKey } from '../../src/processor/io/checkpoint-store.ts';
import { JobCommitter, type PartitionRef } from '../../src/processor/io/commit.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { StorageLayout } from '../../src/storage/layout.ts';
import { PartitionOwnership } from '../../src/processor/runner/partition-ownership.ts';
import { encodePartitionBlobBytes } from '../../src/processor/io/partition-state-blob.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { tempDir } from './temp-dir.ts';

const LAYOUT: StorageLayout = {
  viewsPrefix: 'v/',
  partialsPrefix: 'p/',
  checkpointsPrefix: 'c/',
  deadLetterPrefix: 'd/',
  rawPrefix: 'r/',
};
const P0: PartitionRef = { topic: 'lms.auth', partition: 0 };
const P1: PartitionRef = { topic: 'lms.auth', partition: 1 };
const P2: PartitionRef = { topic: 'lms.auth', partition: 2 };
const IDLE = { watermarkMs: 1_000, atOffset: 42, decidedAtMs: 121_000 };

/** A store where an earlier writer committed partition 0 at next offset 42 with an idle advance. */
async function storeWithCommittedP0(): Promise<FileObjectStore> {
  const store = new FileObjectStore(tempDir('runner-ownership-'));
  const earlier = new JobCommitter(store, { job: 'auth', layout: LAYOUT, writerId: 'earlier' });
  await earlier.recover([P0]);
  await earlier.commit([{ ...P0, nextOffset: 42, state: encodePartitionBlobBytes(IDLE, null, null) }], []);
  return store;
}

function newOwnership(store: FileObjectStore) {
  const committer = new JobCommitter(store, { job: 'auth', layout: LAYOUT, writerId: 'now' });
  const engines: JobEngine[] = [];
  const ownership = new PartitionOwnership({
    job: 'auth',
    committer,
    newEngine: () => {
      const engine = new JobEngine('auth', [], { watermarkDelayMs: 120_000, sessionGapMs: 600_000 });
      engines.push(engine);
      return engine;
    },
    nowMs: () => 7_000,
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  return { ownership, engines };
}

describe('partition ownership', () => {
  it("adopts a committed partition at its checkpoint's next offset, and a new one at the log start", async () => {
    const { ownership } = newOwnership(await storeWithCommittedP0());

    const seeks = await ownership.adopt([P0, P1], (ref) => (ref.partition === 1 ? 17 : -1));

    expect(seeks).toEqual([
      { ...P0, nextOffset: 42 },
      { ...P1, nextOffset: 17 },
    ]);
    expect(ownership.tracker('lms.auth', 0)?.idle).toEqual(IDLE);
    expect(ownership.tracker('lms.auth', 1)?.idle).toBeNull();
    expect(ownership.tracker('lms.auth', 1)?.lastArrivalMs).toBe(7_000); // the idle clock starts at adoption
  });

  it('releases the partitions not in the target and keeps the others', async () => {
    const { ownership } = newOwnership(await storeWithCommittedP0());
    await ownership.adopt([P0, P1], () => 0);
    const keptTracker = ownership.tracker('lms.auth', 0)!;

    const released = ownership.keepOnly([P0, P2]);

    expect([...released]).toHaveLength(1);
    expect(ownership.tracker('lms.auth', 1)).toBeUndefined();
    expect(ownership.tracker('lms.auth', 0)).toBe(keptTracker);
    expect(ownership.missing([P0, P2])).toEqual([P2]);
    expect(ownership.matches([P0])).toBe(true);
    expect(ownership.matches([P0, P2])).toBe(false);
  });

  it('releases nothing when the target holds every owned partition', async () => {
    const { ownership } = newOwnership(await storeWithCommittedP0());
    await ownership.adopt([P0], () => 0);

    const released = ownership.keepOnly([P0, P1]);

    expect(released.size).toBe(0);
    expect(ownership.owned).toHaveLength(1);
  });

  it('releases everything for a fresh engine, and re-adopts from the commit log', async () => {
    const { ownership, engines } = newOwnership(await storeWithCommittedP0());
    await ownership.adopt([P0, P1], () => 5);
    ownership.tracker('lms.auth', 0)!.advanced(99, 8_000); // uncommitted progress

    const refs = ownership.releaseAll();

    expect(refs).toEqual([P0, P1]);
    expect(ownership.owned).toEqual([]);
    expect(engines).toHaveLength(2);
    expect(ownership.engine).toBe(engines[1]);
    const seeks = await ownership.adopt(refs, () => 5);
    expect(seeks.map((s) => s.nextOffset)).toEqual([42, 5]);
  });

  it('holds a tracker only until its partition is released or adopted again', async () => {
    const { ownership } = newOwnership(await storeWithCommittedP0());
    await ownership.adopt([P0, P1], () => 0);
    const first = ownership.tracker('lms.auth', 0)!;
    const other = ownership.tracker('lms.auth', 1)!;
    expect(ownership.holds(first)).toBe(true);

    ownership.keepOnly([P0]);
    await ownership.adopt(ownership.releaseAll(), () => 0);

    expect(ownership.holds(other)).toBe(false);
    expect(ownership.holds(first)).toBe(false);
    expect(ownership.holds(ownership.tracker('lms.auth', 0)!)).toBe(true);
  });

  it('starts the state chain of a partition over when it is adopted or released', async () => {
    const { ownership } = newOwnership(await storeWithCommittedP0());
    const [key0, key1] = [partitionKey('lms.auth', 0), partitionKey('lms.auth', 1)];
    ownership.chains.committed(key0, 3, null, 100); // left over from an earlier ownership
    await ownership.adopt([P0, P1], () => 0);
    ownership.chains.committed(key1, 4, null, 100);

    ownership.keepOnly([P0]);

    expect(ownership.chains.nextLink(key0, false)).toBeNull(); // the first commit after adoption is full
    expect(ownership.chains.nextLink(key1, false)).toBeNull();
    ownership.chains.committed(key0, 5, null, 100);
    expect(ownership.chains.nextLink(key0, false)).toEqual({ previousCommit: 5, baseCommit: 5 });
  });
});
