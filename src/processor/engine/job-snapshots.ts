/**
 * Snapshots of a job engine's partitions: a deep plain copy, the binary encoding straight from the live
 * state (whole, or incremental: the ids accepted since the last committed snapshot, from the partition's
 * id journal, and each view's changes, view-delta.ts), and restoring a partition from a piece. JobEngine
 * delegates here. Stores note their changes from a partition's first whole snapshot on: an engine that
 * never snapshots (replay) pays nothing for it.
 */
import { MAX_FUTURE_MS, type JobName } from '../../events/topics.ts';
import { encodeSnapshotSteps } from './codec/snapshot-codec.ts';
import type { JournalMark } from './id-journal.ts';
import type { EngineOptions } from './job-engine.ts';
import { PartitionClock } from './partition-clock.ts';
import { partitionState, type PartitionState, type PartitionTable } from './partition-table.ts';
import { SNAPSHOT_VERSION, type JobSnapshot, type PartitionSnapshot } from './snapshot.ts';
import { runSteps, type Steps } from './steps.ts';
import { isViewDelta, type PlainViewDelta } from './view-delta.ts';
import type { AnyView } from './view-definition.ts';
import { createViewState, viewStateToPlain, type PlainViewState, type ViewState } from './view-state.ts';

/** Where a partition stood when a snapshot was encoded; report it once the bytes are committed. */
export interface SnapshotMark {
  ids: JournalMark;
  /** The partition's snapshot count at the time (only the newest one's commit enables deltas). */
  sequence: number;
}

/** One partition's encoded state, and the mark to report once the bytes are committed. */
export interface EncodedPartition {
  bytes: Buffer;
  mark: SnapshotMark;
}

export class JobSnapshots {
  constructor(
    private readonly job: JobName,
    private readonly views: readonly AnyView[],
    private readonly options: EngineOptions,
    private readonly partitions: PartitionTable,
  ) {}

  /** A deep copy of one partition's whole state. Take it after `drainFinal` (nothing is held back then). */
  snapshotPartition(topic: string, partition: number): PartitionSnapshot | undefined {
    const state = this.partitions.get(topic, partition);
    if (state === undefined) return undefined;
    return this.piece(state, state.clock.toState(), viewStateToPlain);
  }

  /**
   * One partition's state encoded straight from the live state (no deep copy). `incremental`: only the
   * ids accepted since the last committed snapshot (check `canSnapshotIncrementally` first). Pass the
   * returned mark to `partitionCommitted` once the bytes are durably committed.
   */
  encodePartition(topic: string, partition: number, incremental: boolean): EncodedPartition | undefined {
    return runSteps(this.encodePartitionSteps(topic, partition, incremental));
  }

  /** encodePartition in steps (encodeSnapshotSteps): no record may be processed until the last one. */
  *encodePartitionSteps(
    topic: string,
    partition: number,
    incremental: boolean,
  ): Steps<EncodedPartition | undefined> {
    const state = this.partitions.get(topic, partition);
    if (state === undefined) return undefined;
    const { clock, journal, deltas } = state;
    if (incremental && !incrementalPossible(state)) {
      throw new Error(
        `${this.job} ${topic}/${partition}: no incremental snapshot possible (journal restarted, or the last snapshot is not committed)`,
      );
    }
    const live = clock.liveState();
    const clockState = incremental ? { ...live, seen: journal.entries(live.seen) } : live;
    const piece = this.piece(state, clockState, (store) => (incremental ? store.asDelta() : store.asPlain()));
    piece.incremental = incremental;
    const bytes = yield* encodeSnapshotSteps(piece);
    if (!incremental) for (const store of state.stores) store.trackDelta(); // changes from this state on
    deltas.sequence++;
    deltas.committed = false;
    return { bytes, mark: { ids: journal.mark(!incremental), sequence: deltas.sequence } };
  }

  /** True when the next snapshot of the partition may hold only what changed since the last committed one. */
  canSnapshotIncrementally(topic: string, partition: number): boolean {
    const state = this.partitions.get(topic, partition);
    return state !== undefined && incrementalPossible(state);
  }

  /** The snapshot encoded at `mark` is committed: the next incremental one starts after it. */
  partitionCommitted(topic: string, partition: number, mark: SnapshotMark): void {
    const state = this.partitions.get(topic, partition);
    if (state === undefined) return;
    state.journal.committed(mark.ids);
    if (mark.sequence === state.deltas.sequence) state.deltas.committed = true;
  }

  snapshot(): JobSnapshot {
    const partitions = [...this.partitions].map(({ topic, partition }) =>
      this.snapshotPartition(topic, partition)!,
    );
    return { version: SNAPSHOT_VERSION, job: this.job, partitions };
  }

  /** Adopts one partition's state (restart, or rebalance onto this instance); replaces what was there. */
  restorePartition(piece: PartitionSnapshot): void {
    if (piece.incremental === true) {
      throw new Error(
        `snapshot of ${piece.job} ${piece.topic}/${piece.partition} is incremental: fold its chain with foldChain first`,
      );
    }
    if (
      piece.version !== SNAPSHOT_VERSION ||
      piece.job !== this.job ||
      !this.partitions.hasTopic(piece.topic)
    ) {
      throw new Error(
        `snapshot of ${piece.job} ${piece.topic}/${piece.partition} v${piece.version} does not fit job ${this.job}`,
      );
    }
    const { watermarkDelayMs, sessionGapMs } = this.options;
    const clock = PartitionClock.fromState(piece.clock, watermarkDelayMs, MAX_FUTURE_MS);
    const stores = this.views.map((view) => {
      const plain = piece.views[view.name];
      if (plain !== undefined && isViewDelta(plain))
        throw new Error(
          `snapshot of ${piece.job} ${piece.topic}/${piece.partition}: ${view.name} holds a delta`,
        );
      return createViewState(view, sessionGapMs, plain === undefined ? undefined : structuredClone(plain));
    });
    // Deltas start from the next whole snapshot (the runner commits an adopted partition whole first).
    this.partitions.put(partitionState(piece.topic, piece.partition, clock, stores));
  }

  restore(snapshot: JobSnapshot): void {
    for (const piece of snapshot.partitions) this.restorePartition(piece);
  }

  private piece(
    state: PartitionState,
    clock: PartitionSnapshot['clock'],
    plainOf: (store: ViewState) => PlainViewState | PlainViewDelta,
  ): PartitionSnapshot {
    const views: PartitionSnapshot['views'] = {};
    this.views.forEach((view, index) => (views[view.name] = plainOf(state.stores[index]!)));
    return {
      version: SNAPSHOT_VERSION,
      job: this.job,
      topic: state.topic,
      partition: state.partition,
      clock,
      views,
    };
  }
}

/** Ids journaled since the last committed snapshot, and that snapshot is the partition's newest. */
function incrementalPossible(state: PartitionState): boolean {
  return state.journal.canSnapshotIncrementally && state.deltas.committed;
}
