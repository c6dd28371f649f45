/**
 * What one commit holds, taken at one batch boundary (docs/contract/semantics.md "Exactly-once"): the engine's final
 * rows, the changed partitions' state (incremental when their chain allows it, else full), and the output
 * files (views, dead letters, gaps). Once the commit is visible, each changed partition still owned notes
 * what it now holds durably: the committed idle offset, the id journal's mark, the state chain's new link.
 */
import type { ViewRow } from '../../events/view-dump.ts';
import type { SnapshotMark } from '../engine/job-snapshots.ts';
import type { Steps } from '../engine/steps.ts';
import type { AnyView } from '../engine/view-definition.ts';
import type { CheckpointPartition } from '../io/checkpoint-codec.ts';
import { partitionKey } from '../io/checkpoint-store.ts';
import { groupOfPartition } from '../io/commit-groups.ts';
import type { CommitResult } from '../io/commit.ts';
import type { OutputFile, StorageLayout } from '../../storage/layout.ts';
import type { PendingLatencies } from './latency.ts';
import { commitOutputFiles } from './output-files.ts';
import type { PartitionOwnership } from './partition-ownership.ts';
import { encodePartitionBlobBytes, type ChainLink } from '../io/partition-state-blob.ts';
import type { PartitionTracker } from './partition-tracker.ts';
import type { PendingOutput } from './pending-output.ts';

/** A changed partition's checkpoint entry, with what the chain and the id journal note once it commits. */
export interface EncodedState {
  tracker: PartitionTracker;
  snapshot: CheckpointPartition;
  link: ChainLink | null;
  mark: SnapshotMark | undefined;
  /** Offset of the partition's idle advance in this commit (-1: none). */
  idleOffset: number;
}

/** What one commit writes to one partition group's log (io/commit-groups.ts). */
export interface GroupContents {
  group: number;
  encoded: EncodedState[];
  snapshots: CheckpointPartition[];
  files: OutputFile[];
  rowsByView: Map<string, ViewRow[]>;
}

export interface CommitContents {
  /** Per group with something to commit; with one group, always that group. */
  parts: GroupContents[];
  latencies: PendingLatencies;
  prepareMs: number;
}

/**
 * Drains, encodes and builds the files of the next commit, group by group of partitions (p mod
 * `groups`), in steps (engine/steps.ts): a whole partition's state yields between its parts. The changed
 * partitions are clean after the last step, and nothing may be processed before it; `prepareMs` is left
 * for the caller to fill in.
 */
export function* commitContentsSteps(
  ownership: PartitionOwnership,
  pending: PendingOutput,
  views: readonly AnyView[],
  layout: StorageLayout,
  groups = 1,
): Steps<CommitContents> {
  const parts: GroupContents[] = [];
  const latencies = pending.sealLatencies();
  const changed = ownership.owned.filter((tracker) => tracker.dirty);
  const renewing = changed.find(({ topic, partition }) =>
    ownership.chains.due(partitionKey(topic, partition)),
  );
  for (let group = 0; group < groups; group++) {
    const mine = (partition: number): boolean => groupOfPartition(partition, groups) === group;
    const rowsByView = ownership.engine.drainFinal(groups === 1 ? undefined : mine);
    const records = pending.takePart(groups === 1 ? undefined : mine);
    const trackers = changed.filter((tracker) => mine(tracker.partition));
    const empty = trackers.length === 0 && records.rejections.length === 0 && records.archive.size === 0;
    if (groups > 1 && empty && [...rowsByView.values()].every((rows) => rows.length === 0)) continue;
    const encoded: EncodedState[] = [];
    for (const tracker of trackers)
      encoded.push(yield* encodeState(ownership, tracker, tracker === renewing));
    const files = commitOutputFiles(views, rowsByView, records, layout);
    const snapshots = encoded.map(({ snapshot }) => snapshot);
    parts.push({ group, encoded, snapshots, files, rowsByView });
  }
  for (const tracker of changed) tracker.dirty = false;
  return { parts, latencies, prepareMs: 0 };
}

/** A changed partition's checkpoint state: incremental when its chain allows it, else full. */
function* encodeState(
  ownership: PartitionOwnership,
  tracker: PartitionTracker,
  renew: boolean,
): Steps<EncodedState> {
  const { topic, partition } = tracker;
  const { engine, chains } = ownership;
  let link = chains.nextLink(partitionKey(topic, partition), renew);
  if (link !== null && !engine.canSnapshotIncrementally(topic, partition)) link = null;
  const encodedEngine = yield* engine.encodePartitionSteps(topic, partition, link !== null);
  if (encodedEngine === undefined) link = null;
  const snapshot: CheckpointPartition = {
    topic,
    partition,
    nextOffset: tracker.nextOffset,
    state: encodePartitionBlobBytes(tracker.idle, link, encodedEngine?.bytes ?? null),
    watermarkMs: Math.max(engine.watermarkOf(topic, partition), tracker.idle?.watermarkMs ?? -Infinity),
  };
  if (link !== null) snapshot.baseCommit = link.baseCommit;
  return { tracker, snapshot, link, mark: encodedEngine?.mark, idleOffset: tracker.idle?.atOffset ?? -1 };
}

/** A group's part is visible: its partitions still owned note what it holds (released ones are gone already). */
export function notePartitionsCommitted(
  ownership: PartitionOwnership,
  encoded: readonly EncodedState[],
  result: Pick<CommitResult, 'commit'>,
): void {
  for (const { tracker, snapshot, link, mark, idleOffset } of encoded) {
    if (!ownership.holds(tracker)) continue;
    const key = partitionKey(tracker.topic, tracker.partition);
    tracker.committedIdleOffset = idleOffset;
    if (mark !== undefined) ownership.engine.partitionCommitted(tracker.topic, tracker.partition, mark);
    ownership.chains.committed(key, result.commit, link, snapshot.state.byteLength);
  }
}
