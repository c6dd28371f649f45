/**
 * The broker's offsets of the job's partitions as last read: the log start (where a partition never
 * committed begins, and what tells a retention gap from control records) and the high-water mark (lag, the
 * idle rule). Read at most once a second unless forced (before seeks and gap decisions, which need the
 * current log start).
 */
import type { PartitionRef } from '../io/commit.ts';
import type { PartitionOffsets, TopicNames } from './kafka-topics.ts';

export const OFFSETS_REFRESH_MS = 1000;

/** Offsets keyed by `physicalTopic:partition` (kafka-topics.ts `fetchOffsets`). */
export type ReadOffsets = () => Promise<Map<string, PartitionOffsets>>;

export class BrokerOffsets {
  private offsets = new Map<string, PartitionOffsets>();
  private readAtMs = 0;

  constructor(
    private readonly read: ReadOffsets,
    private readonly names: TopicNames,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Reads the offsets when `force` or when the last read is a second old; true when it read. */
  async refresh(force: boolean): Promise<boolean> {
    const nowMs = this.nowMs();
    if (!force && nowMs - this.readAtMs < OFFSETS_REFRESH_MS) return false;
    this.offsets = await this.read();
    this.readAtMs = nowMs;
    return true;
  }

  /** The log start of a (contract-named) partition; 0 before the first read. */
  logStart(ref: PartitionRef): number {
    return this.get(ref)?.low ?? 0;
  }

  highWatermark(ref: PartitionRef): number | undefined {
    return this.get(ref)?.high;
  }

  private get({ topic, partition }: PartitionRef): PartitionOffsets | undefined {
    return this.offsets.get(`${this.names.physical(topic)}:${partition}`);
  }
}
