/**
 * What waits for the next commit besides the engine's state: the rejected records (dead letters), the
 * retention gaps skipped, and the record timestamps whose processing latency that commit will observe.
 * A commit takes all of it at once, at its batch boundary; a released partition's part is dropped (its
 * next owner redoes it), and a fenced instance discards everything.
 */
import type { SourceRecord } from '../../events/record.ts';
import type { RecordRejection } from '../engine/job-engine.ts';
import { partitionKey } from '../io/checkpoint-store.ts';
import type { DeadLetter } from '../io/dead-letter.ts';
import { LatencyRecorder, type PendingLatencies } from './latency.ts';
import type { OffsetGap } from './output-files.ts';

/** Everything one commit publishes besides the final rows. */
export interface TakenOutput {
  rejections: DeadLetter[];
  gaps: OffsetGap[];
  latencies: PendingLatencies;
}

export class PendingOutput {
  /** Pending record timestamps, and every committed latency since start (quantiles). */
  readonly latency = new LatencyRecorder();
  private rejections: DeadLetter[] = [];
  private gaps: OffsetGap[] = [];

  /** A micro-batch went through the engine: its records wait for their commit, its rejections too. */
  processed(records: readonly SourceRecord[], rejected: readonly RecordRejection[]): void {
    for (const record of records) this.latency.add(record.timestamp);
    for (const rejection of rejected) this.rejections.push(deadLetter(rejection));
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
    this.gaps = this.gaps.filter((g) => !keys.has(partitionKey(g.topic, g.partition)));
  }

  /** Forgets everything uncommitted (a fenced commit). */
  discard(): void {
    this.rejections = [];
    this.gaps = [];
    this.latency.discard();
  }

  /** The output of the commit being started; what comes later waits for the next one. */
  take(): TakenOutput {
    const taken = { rejections: this.rejections, gaps: this.gaps, latencies: this.latency.seal() };
    this.rejections = [];
    this.gaps = [];
    return taken;
  }
}

/** The engine's rejection in the dead-letter store's shape: key and value as received. */
function deadLetter(rejection: RecordRejection): DeadLetter {
  const { topic, partition, offset, timestampMs, reason, message, key, value } = rejection;
  return { topic, partition, offset, timestamp: timestampMs, reason, message, key, value };
}
