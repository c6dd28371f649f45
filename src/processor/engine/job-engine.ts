/**
 * The engine of one job: judges records partition by partition, applies accepted events to the job's
 * views, and emits the final contributions of all partitions it owns, combined per (window, key).
 * Pure: no Kafka, S3, clock or process; the runner (or replay) feeds batches and drains rows.
 */
import type { RejectReason, SourceRecord } from '../../events/record.ts';
import { JOB_TOPICS, MAX_FUTURE_MS, type JobName, type Topic } from '../../events/topics.ts';
import type { LmsEvent } from '../../events/types.ts';
import { validateValue } from '../../events/validate.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { ViewEmitter } from './emitter.ts';
import { PartitionClock, type JournalMark } from './partition-clock.ts';
import { encodeSnapshot, SNAPSHOT_VERSION, type JobSnapshot, type PartitionSnapshot } from './snapshot.ts';
import { approxBytes } from './state-size.ts';
import { inputTypesOf, type AnyView } from './view-definition.ts';
import {
  countViewState,
  createViewState,
  viewStateAsPlain,
  viewStateFromPlain,
  viewStateToPlain,
  type ViewState,
} from './view-state.ts';

export interface EngineOptions {
  /** `D` of semantics.md: wm(p) = maxT(p) − D. */
  watermarkDelayMs: number;
  sessionGapMs: number;
}

/** A record not applied to any view, with what the dead-letter store keeps. */
export interface Rejection {
  topic: string;
  partition: number;
  offset: number;
  timestampMs: number;
  reason: RejectReason;
  message: string;
  value: string;
}

export interface BatchResult {
  accepted: number;
  rejected: Rejection[];
}

export interface PartitionWatermark {
  topic: string;
  partition: number;
  maxTimeMs: number;
  watermarkMs: number;
}

export interface ViewStateMetrics {
  view: string;
  openWindows: number;
  openEntries: number;
  approxBytes: number;
}

interface PartitionState {
  topic: string;
  partition: number;
  clock: PartitionClock;
  views: ViewState[];
  /** Watermark at the last close: nothing to emit until it moves. */
  closedAtMs: number;
}

export class JobEngine {
  readonly topics: readonly Topic[];
  private readonly partitions = new Map<string, PartitionState[]>();
  private readonly emitters: ViewEmitter[];
  /** event type → indexes of the views reading it. */
  private readonly viewsByType = new Map<string, number[]>();

  constructor(
    readonly job: JobName,
    readonly views: readonly AnyView[],
    readonly options: EngineOptions,
  ) {
    this.topics = JOB_TOPICS[job];
    for (const topic of this.topics) this.partitions.set(topic, []);
    this.emitters = views.map((view) => new ViewEmitter(view));
    views.forEach((view, index) => {
      for (const type of inputTypesOf(view)) {
        const list = this.viewsByType.get(type) ?? [];
        list.push(index);
        this.viewsByType.set(type, list);
      }
    });
  }

  process(batch: readonly SourceRecord[]): BatchResult {
    let accepted = 0;
    const rejected: Rejection[] = [];
    for (const record of batch) {
      const byPartition = this.partitions.get(record.topic);
      if (byPartition === undefined) {
        rejected.push(
          rejection(record, 'invalid', `(topic): ${record.topic} is not a topic of job ${this.job}`),
        );
        continue;
      }
      const validation = validateValue(record.topic as Topic, record.key, record.value);
      if (!validation.ok) {
        rejected.push(rejection(record, 'invalid', validation.error.message));
        continue;
      }
      const event = validation.event;
      const partition =
        byPartition[record.partition] ?? this.openPartition(record.topic as Topic, record.partition);
      const reason = partition.clock.judge(event.event_id, event.event_time, record.timestamp);
      if (reason !== null) {
        rejected.push(rejection(record, reason, explain(reason, event, record, partition.clock)));
        continue;
      }
      accepted++;
      this.apply(partition, event);
    }
    return { accepted, rejected };
  }

  private apply(partition: PartitionState, event: LmsEvent): void {
    const viewIndexes = this.viewsByType.get(event.event_type);
    if (viewIndexes === undefined) return;
    for (let i = 0; i < viewIndexes.length; i++) partition.views[viewIndexes[i]!]!.add(event);
  }

  private openPartition(topic: Topic, partition: number): PartitionState {
    const state: PartitionState = {
      topic,
      partition,
      clock: new PartitionClock(this.options.watermarkDelayMs, MAX_FUTURE_MS),
      views: this.views.map((view) => createViewState(view, this.options.sessionGapMs)),
      closedAtMs: -Infinity,
    };
    this.partitions.get(topic)![partition] = state;
    return state;
  }

  private *allPartitions(): Generator<PartitionState> {
    for (const byPartition of this.partitions.values())
      for (const state of byPartition) if (state) yield state;
  }

  /** Rows (partial, with `_` columns) of every (window, key) that became final since the last drain. */
  drainFinal(): Map<string, ViewRow[]> {
    for (const partition of this.allPartitions()) {
      const watermarkMs = partition.clock.watermarkMs;
      if (watermarkMs <= partition.closedAtMs) continue;
      partition.closedAtMs = watermarkMs;
      partition.views.forEach((state, index) => state.close(watermarkMs, this.emitters[index]!));
      partition.clock.forgetOldIds();
    }
    return new Map(this.views.map((view, index) => [view.name, this.emitters[index]!.drain()]));
  }

  /** End of input (replay, oracle comparison): every partition's watermark becomes +∞. */
  endOfInput(): void {
    for (const partition of this.allPartitions()) partition.clock.ended = true;
  }

  /** The idle rule, applied by the runtime: `idle(p)` = `idleWatermarkMs` (never moves back). */
  advanceIdle(topic: Topic, partition: number, idleWatermarkMs: number): void {
    const state = this.partitions.get(topic)?.[partition] ?? this.openPartition(topic, partition);
    state.clock.advanceIdle(idleWatermarkMs);
  }

  watermarks(): PartitionWatermark[] {
    return [...this.allPartitions()].map(({ topic, partition, clock }) => ({
      topic,
      partition,
      maxTimeMs: clock.maxTimeMs,
      watermarkMs: clock.watermarkMs,
    }));
  }

  stateMetrics(): ViewStateMetrics[] {
    return this.views.map((view, index) => {
      const metrics: ViewStateMetrics = { view: view.name, openWindows: 0, openEntries: 0, approxBytes: 0 };
      for (const partition of this.allPartitions()) {
        const state = partition.views[index]!;
        const counts = countViewState(state);
        metrics.openWindows += counts.windows;
        metrics.openEntries += counts.entries;
        metrics.approxBytes += approxBytes(viewStateAsPlain(state)); // read-only: no deep copy
      }
      return metrics;
    });
  }

  /** Number of event ids remembered for duplicate detection, over all partitions. */
  rememberedIds(): number {
    let count = 0;
    for (const partition of this.allPartitions()) count += partition.clock.rememberedIds;
    return count;
  }

  /** A deep copy of one partition's whole state. Take it after `drainFinal` (nothing is held back then). */
  snapshotPartition(topic: string, partition: number): PartitionSnapshot | undefined {
    const state = this.partitions.get(topic)?.[partition];
    if (state === undefined) return undefined;
    const views: PartitionSnapshot['views'] = {};
    this.views.forEach((view, index) => (views[view.name] = viewStateToPlain(state.views[index]!)));
    return {
      version: SNAPSHOT_VERSION,
      job: this.job,
      topic,
      partition,
      clock: state.clock.toState(),
      views,
    };
  }

  /**
   * One partition's state encoded straight from the live state (no deep copy). `incremental`: only the
   * ids accepted since the last committed snapshot (check `canSnapshotIncrementally` first). Pass the
   * returned mark to `partitionCommitted` once the bytes are durably committed.
   */
  encodePartition(
    topic: string,
    partition: number,
    incremental: boolean,
  ): { bytes: Buffer; mark: JournalMark } | undefined {
    const state = this.partitions.get(topic)?.[partition];
    if (state === undefined) return undefined;
    if (incremental && !state.clock.canSnapshotIncrementally) {
      throw new Error(
        `${this.job} ${topic}/${partition}: no incremental snapshot possible (journal restarted)`,
      );
    }
    const views: PartitionSnapshot['views'] = {};
    this.views.forEach((view, index) => (views[view.name] = viewStateAsPlain(state.views[index]!)));
    const live: PartitionSnapshot = {
      version: SNAPSHOT_VERSION,
      job: this.job,
      topic,
      partition,
      clock: state.clock.liveState(incremental),
      views,
      incremental,
    };
    return { bytes: encodeSnapshot(live), mark: state.clock.journalMark(!incremental) };
  }

  /** True when the next snapshot of the partition may hold only the ids since the last committed one. */
  canSnapshotIncrementally(topic: string, partition: number): boolean {
    return this.partitions.get(topic)?.[partition]?.clock.canSnapshotIncrementally ?? false;
  }

  /** The snapshot encoded at `mark` is committed: the next incremental one starts after it. */
  partitionCommitted(topic: string, partition: number, mark: JournalMark): void {
    this.partitions.get(topic)?.[partition]?.clock.committed(mark);
  }

  snapshot(): JobSnapshot {
    const partitions = [...this.allPartitions()].map(({ topic, partition }) =>
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
    if (piece.version !== SNAPSHOT_VERSION || piece.job !== this.job || !this.partitions.has(piece.topic)) {
      throw new Error(
        `snapshot of ${piece.job} ${piece.topic}/${piece.partition} v${piece.version} does not fit job ${this.job}`,
      );
    }
    const state = this.openPartition(piece.topic as Topic, piece.partition);
    state.clock = PartitionClock.fromState(piece.clock, this.options.watermarkDelayMs, MAX_FUTURE_MS);
    state.views = this.views.map((view) => {
      const plain = piece.views[view.name];
      return plain === undefined
        ? createViewState(view, this.options.sessionGapMs)
        : viewStateFromPlain(view, this.options.sessionGapMs, structuredClone(plain));
    });
  }

  /** Gives a partition up (rebalance away); its state should have been snapshotted first. */
  dropPartition(topic: string, partition: number): void {
    const byPartition = this.partitions.get(topic);
    if (byPartition !== undefined) delete byPartition[partition];
  }

  restore(snapshot: JobSnapshot): void {
    for (const piece of snapshot.partitions) this.restorePartition(piece);
  }
}

function rejection(record: SourceRecord, reason: RejectReason, message: string): Rejection {
  const { topic, partition, offset, timestamp, value } = record;
  return { topic, partition, offset, timestampMs: timestamp, reason, message, value };
}

function explain(reason: RejectReason, event: LmsEvent, record: SourceRecord, clock: PartitionClock): string {
  const at = `event_time ${event.event_time}`;
  if (reason === 'future')
    return `${at} is more than ${MAX_FUTURE_MS} ms after the record timestamp ${record.timestamp}`;
  if (reason === 'late') return `${at} is before the partition watermark ${clock.watermarkMs}`;
  return `event_id ${event.event_id} was already accepted on ${record.topic}/${record.partition} at or after the watermark ${clock.watermarkMs}`;
}
