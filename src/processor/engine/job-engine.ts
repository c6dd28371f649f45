/**
 * The engine of one job: judges records partition by partition, applies accepted events to the job's
 * views, and emits the final contributions of all partitions it owns, combined per (window, key).
 * Pure: no Kafka, S3, clock or process; the runner (or replay) feeds batches and drains rows.
 */
import type { RecordBytes, RejectReason, SourceRecord } from '../../events/record.ts';
import { JOB_TOPICS, MAX_FUTURE_MS, type JobName, type Topic } from '../../events/topics.ts';
import type { LmsEvent } from '../../events/types.ts';
import { validateValue } from '../../events/validate.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { ViewEmitter } from './emitter.ts';
import { JobSnapshots, type EncodedPartition, type SnapshotMark } from './job-snapshots.ts';
import { OpenCells, type PartitionChanges } from './open-cells.ts';
import { PartitionClock } from './partition-clock.ts';
import { partitionState, PartitionTable, type PartitionState } from './partition-table.ts';
import type { JobSnapshot, PartitionSnapshot } from './snapshot.ts';
import { approxBytes } from './state-size.ts';
import type { Steps } from './steps.ts';
import { inputTypesOf, type AnyView } from './view-definition.ts';
import { createViewState } from './view-state.ts';

export interface EngineOptions {
  /** `D` of docs/contract/semantics.md: wm(p) = maxT(p) − D. */
  watermarkDelayMs: number;
  sessionGapMs: number;
}

/** A record not applied to any view, with what the dead-letter store keeps: key and value as received. */
export interface RecordRejection {
  topic: string;
  partition: number;
  offset: number;
  timestampMs: number;
  reason: RejectReason;
  message: string;
  key: RecordBytes;
  value: RecordBytes;
}

export interface BatchResult {
  accepted: number;
  rejected: RecordRejection[];
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

export class JobEngine {
  readonly topics: readonly Topic[];
  private readonly partitions: PartitionTable;
  private readonly snapshots: JobSnapshots;
  private readonly emitters: ViewEmitter[];
  /** event type → indexes of the views reading it. */
  private readonly viewsByType = new Map<string, number[]>();
  /** Set by `trackChanges`: from then on no change is lost to a close. */
  private openCells: OpenCells | undefined;

  constructor(
    readonly job: JobName,
    readonly views: readonly AnyView[],
    readonly options: EngineOptions,
  ) {
    this.topics = JOB_TOPICS[job];
    this.partitions = new PartitionTable(this.topics);
    this.snapshots = new JobSnapshots(job, views, options, this.partitions);
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
    const rejected: RecordRejection[] = [];
    for (const record of batch) {
      if (!this.partitions.hasTopic(record.topic)) {
        rejected.push(
          rejection(record, 'invalid', `(topic): ${record.topic} is not a topic of job ${this.job}`),
        );
        continue;
      }
      const validation = validateValue(record.topic, record.key, record.value);
      if (!validation.ok) {
        rejected.push(rejection(record, 'invalid', validation.error.message));
        continue;
      }
      const event = validation.event;
      const partition = this.openPartition(record.topic, record.partition);
      const reason = partition.clock.judge(event.event_id, event.event_time, record.timestamp);
      if (reason !== null) {
        rejected.push(rejection(record, reason, explain(reason, event, record, partition.clock)));
        continue;
      }
      partition.journal.accepted(event.event_id, partition.clock.rememberedIds);
      accepted++;
      this.apply(partition, event);
    }
    return { accepted, rejected };
  }

  private apply(partition: PartitionState, event: LmsEvent): void {
    const viewIndexes = this.viewsByType.get(event.event_type);
    if (viewIndexes === undefined) return;
    for (let i = 0; i < viewIndexes.length; i++) partition.stores[viewIndexes[i]!]!.add(event);
  }

  /** The partition's state, opened empty on first use. */
  private openPartition(topic: Topic, partition: number): PartitionState {
    const existing = this.partitions.get(topic, partition);
    if (existing !== undefined) return existing;
    const { watermarkDelayMs, sessionGapMs } = this.options;
    const state = partitionState(
      topic,
      partition,
      new PartitionClock(watermarkDelayMs, MAX_FUTURE_MS),
      this.views.map((view) => createViewState(view, sessionGapMs)),
    );
    this.partitions.put(state);
    return state;
  }

  /**
   * Rows (partial, with `_` columns) of every (window, key) that became final since the last drain, of
   * the partitions `only` picks (all by default: a commit split by partition group drains group by group).
   */
  drainFinal(only?: (partition: number) => boolean): Map<string, ViewRow[]> {
    for (const partition of this.partitions) {
      if (only !== undefined && !only(partition.partition)) continue;
      const watermarkMs = partition.clock.watermarkMs;
      if (watermarkMs <= partition.closedAtMs) continue;
      partition.closedAtMs = watermarkMs;
      // With provisional rows on, each closing cell's last value is kept for them too.
      partition.stores.forEach((store, index) => {
        const emitter = this.emitters[index]!;
        store.close(watermarkMs, this.openCells?.closing(partition, index, emitter) ?? emitter);
      });
      partition.clock.forgetOldIds();
    }
    return new Map(this.views.map((view, index) => [view.name, this.emitters[index]!.drain()]));
  }

  /**
   * The open cells changed since the last call, per partition, as partial rows (provisional values;
   * open-cells.ts). The first call for a partition's state (new, restored or adopted) gives all its
   * open cells; values taken before a close are kept for the next call.
   */
  drainChanged(): PartitionChanges[] {
    this.trackChanges();
    for (const partition of this.partitions) this.openCells!.take(partition);
    return this.openCells!.drain();
  }

  /** From now on, values of cells about to close are kept for `drainChanged` (call before processing). */
  trackChanges(): void {
    this.openCells ??= new OpenCells(this.views);
  }

  /** Stops keeping closing cells and forgets what was kept (a job catching up publishes no provisional rows). */
  pauseChanges(): void {
    if (this.openCells === undefined) return;
    this.openCells = undefined;
    // The stores stop tracking too: catch-up keeps its whole speed, and their next peek gives every cell.
    for (const partition of this.partitions) for (const store of partition.stores) store.forgetChanges();
  }

  /** End of input (replay, oracle comparison): every partition's watermark becomes +∞. */
  endOfInput(): void {
    for (const partition of this.partitions) partition.clock.endInput();
  }

  /** The idle rule, applied by the runtime: `idle(p)` = `idleWatermarkMs` (never moves back). */
  advanceIdle(topic: Topic, partition: number, idleWatermarkMs: number): void {
    this.openPartition(topic, partition).clock.advanceIdle(idleWatermarkMs);
  }

  watermarks(): PartitionWatermark[] {
    return [...this.partitions].map(({ topic, partition, clock }) => ({
      topic,
      partition,
      maxTimeMs: clock.maxTimeMs,
      watermarkMs: clock.watermarkMs,
    }));
  }

  /** wm(p) of one partition; −∞ when the engine has not seen it. */
  watermarkOf(topic: string, partition: number): number {
    return this.partitions.get(topic, partition)?.clock.watermarkMs ?? -Infinity;
  }

  stateMetrics(): ViewStateMetrics[] {
    return this.views.map((view, index) => {
      const metrics: ViewStateMetrics = { view: view.name, openWindows: 0, openEntries: 0, approxBytes: 0 };
      for (const partition of this.partitions) {
        const store = partition.stores[index]!;
        const counts = store.counts();
        metrics.openWindows += counts.windows;
        metrics.openEntries += counts.entries;
        metrics.approxBytes += approxBytes(store.asPlain()); // read-only: no deep copy
      }
      return metrics;
    });
  }

  /** Number of event ids remembered for duplicate detection, over all partitions. */
  rememberedIds(): number {
    let count = 0;
    for (const partition of this.partitions) count += partition.clock.rememberedIds;
    return count;
  }

  // Snapshots (job-snapshots.ts).

  /** A deep copy of one partition's whole state. Take it after `drainFinal` (nothing is held back then). */
  snapshotPartition(topic: string, partition: number): PartitionSnapshot | undefined {
    return this.snapshots.snapshotPartition(topic, partition);
  }

  /** One partition's state encoded from the live state, whole or `incremental`; see JobSnapshots. */
  encodePartition(topic: string, partition: number, incremental: boolean): EncodedPartition | undefined {
    return this.snapshots.encodePartition(topic, partition, incremental);
  }

  /** encodePartition in steps, for a caller that lets other work run between them; process nothing until the end. */
  encodePartitionSteps(
    topic: string,
    partition: number,
    incremental: boolean,
  ): Steps<EncodedPartition | undefined> {
    return this.snapshots.encodePartitionSteps(topic, partition, incremental);
  }

  /** True when the next snapshot of the partition may hold only the ids since the last committed one. */
  canSnapshotIncrementally(topic: string, partition: number): boolean {
    return this.snapshots.canSnapshotIncrementally(topic, partition);
  }

  /** The snapshot encoded at `mark` is committed: the next incremental one starts after it. */
  partitionCommitted(topic: string, partition: number, mark: SnapshotMark): void {
    this.snapshots.partitionCommitted(topic, partition, mark);
  }

  snapshot(): JobSnapshot {
    return this.snapshots.snapshot();
  }

  /** Adopts one partition's state (restart, or rebalance onto this instance); replaces what was there. */
  restorePartition(piece: PartitionSnapshot): void {
    this.snapshots.restorePartition(piece);
  }

  restore(snapshot: JobSnapshot): void {
    this.snapshots.restore(snapshot);
  }

  /** Gives a partition up (rebalance away); its state should have been snapshotted first. */
  dropPartition(topic: string, partition: number): void {
    this.partitions.drop(topic, partition);
  }
}

function rejection(record: SourceRecord, reason: RejectReason, message: string): RecordRejection {
  const { topic, partition, offset, timestamp, key, value } = record;
  return { topic, partition, offset, timestampMs: timestamp, reason, message, key, value };
}

function explain(reason: RejectReason, event: LmsEvent, record: SourceRecord, clock: PartitionClock): string {
  const at = `event_time ${event.event_time}`;
  if (reason === 'future')
    return `${at} is more than ${MAX_FUTURE_MS} ms after the record timestamp ${record.timestamp}`;
  if (reason === 'late') return `${at} is before the partition watermark ${clock.watermarkMs}`;
  return `event_id ${event.event_id} was already accepted on ${record.topic}/${record.partition} at or after the watermark ${clock.watermarkMs}`;
}
