import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JobEngine } from '../../src/processor/engine/job-engine.ts';
import { JobCommitter, type PartitionRef } from '../../src/processor/io/commit.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { StorageLayout } from '../../src/storage/layout.ts';
import { commitContentsSteps, notePartitionsCommitted } from '../../src/processor/runner/commit-contents.ts';
import { PartitionOwnership } from '../../src/processor/runner/partition-ownership.ts';
import { decodePartitionBlob } from '../../src/processor/io/partition-state-blob.ts';
import type { PartitionTracker } from '../../src/processor/runner/partition-tracker.ts';
import { PendingOutput } from '../../src/processor/runner/pending-output.ts';
import { runSteps } from '../../src/processor/engine/steps.ts';
import type { AnyView } from '../../src/processor/engine/view-definition.ts';
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
const DAY_MS = Date.UTC(2025, 0, 6);

/** A job of no views owning partitions 0 and 1 of lms.auth, never committed before. */
async function ownedJob() {
  const store = new FileObjectStore(tempDir('runner-contents-'));
  const committer = new JobCommitter(store, { job: 'auth', layout: LAYOUT, writerId: 'w' });
  const ownership = new PartitionOwnership({
    job: 'auth',
    committer,
    newEngine: () => new JobEngine('auth', [], { watermarkDelayMs: 120_000, sessionGapMs: 600_000 }),
    nowMs: () => DAY_MS,
    logger: createLogger({ level: 'silent', format: 'json' }),
  });
  await ownership.adopt([P0, P1], () => 0);
  return { committer, ownership, pending: new PendingOutput() };
}

/** A commit's contents taken in one go (the runner takes them in slices when they are long). */
function takeCommitContents(
  ownership: PartitionOwnership,
  pending: PendingOutput,
  views: readonly AnyView[],
  layout: StorageLayout,
) {
  const { parts, ...rest } = runSteps(commitContentsSteps(ownership, pending, views, layout));
  expect(parts).toHaveLength(1); // one commit group: always its one part
  return { ...parts[0]!, ...rest };
}

/** What the idle rule does to a partition: the engine's clock moves, the tracker records it. */
function idleAdvance(ownership: PartitionOwnership, tracker: PartitionTracker, watermarkMs: number): void {
  ownership.engine.advanceIdle('lms.auth', tracker.partition, watermarkMs);
  tracker.recordIdle(watermarkMs, watermarkMs + 120_000);
}

describe('what a commit holds', () => {
  it('takes the changed partitions only, and they are clean afterwards', async () => {
    const { ownership, pending } = await ownedJob();
    const changed = ownership.tracker('lms.auth', 0)!;
    idleAdvance(ownership, changed, DAY_MS);

    const contents = takeCommitContents(ownership, pending, [], LAYOUT);

    expect(contents.snapshots.map(({ partition, nextOffset }) => ({ partition, nextOffset }))).toEqual([
      { partition: 0, nextOffset: 0 },
    ]);
    expect(decodePartitionBlob(contents.snapshots[0]!.state).idle).toEqual(changed.idle);
    expect(changed.dirty).toBe(false);
    expect(takeCommitContents(ownership, pending, [], LAYOUT).snapshots).toEqual([]);
  });

  it('publishes the pending dead letters and retention gaps with the commit', async () => {
    const { ownership, pending } = await ownedJob();
    const bad: SourceRecord = {
      topic: 'lms.auth',
      partition: 1,
      offset: 3,
      timestamp: DAY_MS,
      key: 'u1',
      value: 'not json',
    };
    const result = ownership.engine.process([bad]);
    pending.processed([bad], result.rejected);
    pending.gap({ topic: 'lms.auth', partition: 0, fromOffset: 0, toOffset: 9, detectedAtMs: DAY_MS });

    const contents = takeCommitContents(ownership, pending, [], LAYOUT);

    expect(result.rejected).toHaveLength(1);
    expect(contents.files.map((file) => `${file.dir} ${file.extension}`).sort()).toEqual([
      'd/_gaps/date=2025-01-06 jsonl',
      'p/_dead_letter/lms.auth/date=2025-01-06 ndjson',
    ]);
    expect(contents.latencies.size).toBe(1);
  });

  it('stores a partition in full first, then only what changed on top of its last commit', async () => {
    const { committer, ownership, pending } = await ownedJob();
    const tracker = ownership.tracker('lms.auth', 0)!;
    idleAdvance(ownership, tracker, DAY_MS);
    const first = takeCommitContents(ownership, pending, [], LAYOUT);
    const firstResult = await committer.commit(first.snapshots, first.files);
    notePartitionsCommitted(ownership, first.encoded, firstResult);

    idleAdvance(ownership, tracker, DAY_MS + 60_000);
    const second = takeCommitContents(ownership, pending, [], LAYOUT);

    expect(first.snapshots[0]!.baseCommit).toBeUndefined();
    expect(decodePartitionBlob(first.snapshots[0]!.state).chain ?? null).toBeNull();
    expect(second.snapshots[0]!.baseCommit).toBe(firstResult.commit);
    expect(decodePartitionBlob(second.snapshots[0]!.state).chain).toEqual({
      previousCommit: firstResult.commit,
      baseCommit: firstResult.commit,
    });
  });

  it('notes the committed idle advance only for partitions still owned when the commit is visible', async () => {
    const { committer, ownership, pending } = await ownedJob();
    const kept = ownership.tracker('lms.auth', 0)!;
    const released = ownership.tracker('lms.auth', 1)!;
    idleAdvance(ownership, kept, DAY_MS);
    idleAdvance(ownership, released, DAY_MS);
    const contents = takeCommitContents(ownership, pending, [], LAYOUT);
    const result = await committer.commit(contents.snapshots, contents.files);

    ownership.keepOnly([P0]);
    notePartitionsCommitted(ownership, contents.encoded, result);

    expect(kept.committedIdleOffset).toBe(0);
    expect(kept.idleCommitted).toBe(true);
    expect(released.committedIdleOffset).toBe(-1);
  });
});
