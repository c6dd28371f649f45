/**
 * What waits for the next commit besides the engine's state: the rejected records (dead letters), the
 * accepted and late records (the raw archive's pending lines, io/archive-files.ts), the retention gaps
 * skipped, and the record timestamps whose processing latency that commit will observe.
 * A commit takes all of it at once, at its batch boundary; a released partition's part is dropped (its
 * next owner redoes it), and a fenced instance discards everything.
 */
import type { RejectReason, SourceRecord } from '../../events/record.ts';
import { appendArchiveLine } from '../io/archive-files.ts';
import type { RecordRejection } from '../engine/job-engine.ts';
import { partitionKey } from '../io/checkpoint-store.ts';
import { LineBytes } from '../io/line-bytes.ts';
import type { DeadLetter } from '../io/dead-letter.ts';
import { LatencyRecorder, type PendingLatencies } from './latency.ts';
import type { OffsetGap } from './output-files.ts';

/** Everything one commit publishes besides the final rows. */
export interface TakenOutput {
  rejections: DeadLetter[];
  /** Pending archive lines by topic, NDJSON bytes. */
  archive: Map<string, Buffer>;
  gaps: OffsetGap[];
  latencies: PendingLatencies;
}

export class PendingOutput {
  /** Pending record timestamps, and every committed latency since start (quantiles). */
  readonly latency = new LatencyRecorder();
  private rejections: DeadLetter[] = [];
  /** Pending archive lines by partition key (a released partition's go with it), as bytes already. */
  private archive = new Map<string, { topic: string; partition: number; lines: LineBytes }>();
  private gaps: OffsetGap[] = [];

  constructor(private readonly options: { archive: boolean } = { archive: true }) {}

  /** A micro-batch went through the engine: its records wait for their commit, its rejections too. */
  processed(records: readonly SourceRecord[], rejected: readonly RecordRejection[]): void {
    for (const record of records) this.latency.add(record.timestamp);
    for (const rejection of rejected) this.rejections.push(deadLetter(rejection));
    if (this.options.archive) this.archived(records, rejected);
  }

  /** Accepted and late records go to the archive; duplicates, invalid and future records do not. */
  private archived(records: readonly SourceRecord[], rejected: readonly RecordRejection[]): void {
    let reasons: Map<number, RejectReason> | undefined;
    if (rejected.length > 0) reasons = new Map(rejected.map(({ offset, reason }) => [offset, reason]));
    let topic = '';
    let partition = -1;
    let lines: LineBytes | undefined;
    for (const record of records) {
      const reason = reasons?.get(record.offset);
      // Only valid records are archived, and their values were decoded as text.
      if ((reason !== undefined && reason !== 'late') || typeof record.value !== 'string') continue;
      if (record.partition !== partition || record.topic !== topic) {
        ({ topic, partition } = record);
        const key = partitionKey(topic, partition);
        const entry = this.archive.get(key) ?? { topic, partition, lines: new LineBytes() };
        this.archive.set(key, entry);
        lines = entry.lines;
      }
      appendArchiveLine(
        lines!,
        record as SourceRecord & { value: string },
        reason === 'late' ? 'late' : 'accepted',
      );
    }
  }

  gap(gap: OffsetGap): void {
    this.gaps.push(gap);
  }

  /** A gap changes what the next commit publishes even when no partition state changed. */
  get hasGaps(): boolean {
    return this.gaps.length > 0;
  }

  /** Forgets the output of released partitions (keys of `partitionKey`). */
  dropPartitions(keys: ReadonlySet<string>): void {
    this.rejections = this.rejections.filter((r) => !keys.has(partitionKey(r.topic, r.partition)));
    for (const key of keys) this.archive.delete(key);
    this.gaps = this.gaps.filter((g) => !keys.has(partitionKey(g.topic, g.partition)));
  }

  /** Forgets everything uncommitted (a fenced commit). */
  discard(): void {
    this.rejections = [];
    this.archive = new Map();
    this.gaps = [];
    this.latency.discard();
  }

  /** The output of the commit being started; what comes later waits for the next one. */
  take(): TakenOutput {
    return { ...this.takePart(), latencies: this.latency.seal() };
  }

  /**
   * The records, rejections and gaps of the partitions `only` picks (all by default) for the commit being
   * started; the rest wait. The latencies stay for `take` or `sealLatencies`.
   */
  takePart(only?: (partition: number) => boolean): Omit<TakenOutput, 'latencies'> {
    const picked = (partition: number): boolean => only === undefined || only(partition);
    const parts = new Map<string, Buffer[]>();
    for (const [key, { topic, partition, lines }] of this.archive) {
      if (!picked(partition)) continue;
      parts.set(topic, [...(parts.get(topic) ?? []), ...lines.parts()]);
      this.archive.delete(key);
    }
    const archive = new Map([...parts].map(([topic, bytes]) => [topic, Buffer.concat(bytes)] as const));
    const rejections = this.rejections.filter((r) => picked(r.partition));
    const gaps = this.gaps.filter((g) => picked(g.partition));
    this.rejections = only === undefined ? [] : this.rejections.filter((r) => !picked(r.partition));
    this.gaps = only === undefined ? [] : this.gaps.filter((g) => !picked(g.partition));
    return { rejections, archive, gaps };
  }

  /** The record timestamps whose latency the commit being started observes. */
  sealLatencies(): PendingLatencies {
    return this.latency.seal();
  }
}

/** The engine's rejection in the dead-letter store's shape: key and value as received. */
function deadLetter(rejection: RecordRejection): DeadLetter {
  const { topic, partition, offset, timestampMs, reason, message, key, value } = rejection;
  return { topic, partition, offset, timestamp: timestampMs, reason, message, key, value };
}
