/**
 * Snapshots of a job engine's partitions: a deep plain copy, the binary encoding straight from the live
 * state (whole, or incremental: only the ids accepted since the last committed snapshot, from the
 * partition's id journal), and restoring a partition from a piece. JobEngine delegates here.
 */
import { MAX_FUTURE_MS, type JobName } from '../../events/topics.ts';
import { encodeSnapshot } from './codec/snapshot-codec.ts';
import type { JournalMark } from './id-journal.ts';
import type { EngineOptions } from './job-engine.ts';
import { PartitionClock } from './partition-clock.ts';
import { partitionState, type PartitionState, type PartitionTable } from './partition-table.ts';
import { SNAPSHOT_VERSION, type JobSnapshot, type PartitionSnapshot } from './snapshot.ts';
import type { AnyView } from './view-definition.ts';
import { createViewState, viewStateToPlain, type PlainViewState, type ViewState } from './view-state.ts';

/** One partition's encoded state, and the journal mark to report once the bytes are committed. */
export interface EncodedPartition {
  bytes: Buffer;
  mark: JournalMark;
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
    const state = this.partitions.get(topic, partition);
    if (state === undefined) return undefined;
    const { clock, journal } = state;
    if (incremental && !journal.canSnapshotIncrementally) {
      throw new Error(
        `${this.job} ${topic}/${partition}: no incremental snapshot possible (journal restarted)`,
      );
    }
    const live = clock.liveState();
    const clockState = incremental ? { ...live, seen: journal.entries(live.seen) } : live;
    const piece = this.piece(state, clockState, (store) => store.asPlain());
    piece.incremental = incremental;
    return { bytes: encodeSnapshot(piece), mark: journal.mark(!incremental) };
  }

  /** True when the next snapshot of the partition may hold only the ids since the last committed one. */
  canSnapshotIncrementally(topic: string, partition: number): boolean {
    return this.partitions.get(topic, partition)?.journal.canSnapshotIncrementally ?? false;
  }

  /** The snapshot encoded at `mark` is committed: the next incremental one starts after it. */
  partitionCommitted(topic: string, partition: number, mark: JournalMark): void {
    this.partitions.get(topic, partition)?.journal.committed(mark);
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
        `snapshot of ${piece.job} ${piece.topic}/${piece.partition} is incremental: fold its chain with withEarlierIds first`,
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
      return createViewState(view, sessionGapMs, plain === undefined ? undefined : structuredClone(plain));
    });
    this.partitions.put(partitionState(piece.topic, piece.partition, clock, stores));
  }

  restore(snapshot: JobSnapshot): void {
    for (const piece of snapshot.partitions) this.restorePartition(piece);
  }

  private piece(
    state: PartitionState,
    clock: PartitionSnapshot['clock'],
    plainOf: (store: ViewState) => PlainViewState,
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
