/**
 * The partitions this instance owns and the engine holding their state (docs/runner.md "Rebalances,
 * adoption and fencing"). Adopting a partition restores it from the newest commit holding it (folding an
 * incremental chain) or starts it at the log start, and says where the consumer must continue: a seek
 * target. Releasing one drops its engine state (the next owner redoes its uncommitted progress from its
 * last commit). Each owned partition has a tracker (offsets, idle rule) and an incremental state chain.
 */
import type { Logger } from 'pino';
import type { JobName } from '../../events/topics.ts';
import type { JobEngine } from '../engine/job-engine.ts';
import { partitionKey } from '../io/checkpoint-store.ts';
import type { JobCommitter, PartitionRef } from '../io/commit.ts';
import { PartitionTracker } from './partition-tracker.ts';
import { restoreBlob, StateChains } from './state-chains.ts';

/** Where the consumer must continue for a partition just (re)adopted. */
export interface SeekTarget extends PartitionRef {
  nextOffset: number;
}

/** The broker's log start of a partition: where one that was never committed begins. */
export type LogStart = (ref: PartitionRef) => number;

export interface OwnershipOptions {
  job: JobName;
  committer: Pick<JobCommitter, 'recover' | 'release' | 'readPartition'>;
  /** A fresh engine with no partitions (at start, and when everything uncommitted is thrown away). */
  newEngine: () => JobEngine;
  nowMs: () => number;
  logger: Logger;
}

export class PartitionOwnership {
  /** Incremental state chains of the owned partitions (what the next commit may store as a delta). */
  readonly chains = new StateChains();
  private readonly trackers = new Map<string, PartitionTracker>();
  private currentEngine: JobEngine;

  constructor(private readonly options: OwnershipOptions) {
    this.currentEngine = options.newEngine();
  }

  get engine(): JobEngine {
    return this.currentEngine;
  }

  tracker(topic: string, partition: number): PartitionTracker | undefined {
    return this.trackers.get(partitionKey(topic, partition));
  }

  get owned(): PartitionTracker[] {
    return [...this.trackers.values()];
  }

  /** True while `tracker` is the one of its partition (not released or re-adopted since). */
  holds(tracker: PartitionTracker): boolean {
    return this.trackers.get(partitionKey(tracker.topic, tracker.partition)) === tracker;
  }

  /** True when the owned partitions are exactly `target`. */
  matches(target: readonly PartitionRef[]): boolean {
    return (
      this.trackers.size === target.length &&
      target.every(({ topic, partition }) => this.trackers.has(partitionKey(topic, partition)))
    );
  }

  /** Releases every owned partition not in `target`; returns their partition keys. */
  keepOnly(target: readonly PartitionRef[]): Set<string> {
    const wanted = new Set(target.map(({ topic, partition }) => partitionKey(topic, partition)));
    const lost = this.owned.filter(({ topic, partition }) => !wanted.has(partitionKey(topic, partition)));
    const lostKeys = new Set(lost.map(({ topic, partition }) => partitionKey(topic, partition)));
    if (lost.length === 0) return lostKeys;
    this.options.committer.release(lost);
    for (const { topic, partition } of lost) {
      this.currentEngine.dropPartition(topic, partition);
      this.trackers.delete(partitionKey(topic, partition));
      this.chains.forget(partitionKey(topic, partition));
    }
    this.options.logger.info({ job: this.options.job, partitions: [...lostKeys] }, 'partitions revoked');
    return lostKeys;
  }

  /** The partitions of `target` not owned yet. */
  missing(target: readonly PartitionRef[]): PartitionRef[] {
    return target.filter(({ topic, partition }) => !this.trackers.has(partitionKey(topic, partition)));
  }

  /** Releases every partition and starts a fresh engine; returns what was owned (to adopt again). */
  releaseAll(): PartitionRef[] {
    const refs = this.owned.map(({ topic, partition }) => ({ topic, partition }));
    this.options.committer.release(refs);
    this.trackers.clear();
    this.chains.clear();
    this.currentEngine = this.options.newEngine();
    return refs;
  }

  /** Restores partitions from their newest commits (or the log start) and takes ownership of them. */
  async adopt(refs: readonly PartitionRef[], logStart: LogStart): Promise<SeekTarget[]> {
    const { committer, job, logger } = this.options;
    const restored = await committer.recover(refs);
    const nowMs = this.options.nowMs();
    const seeks: SeekTarget[] = [];
    for (const ref of refs) {
      const key = partitionKey(ref.topic, ref.partition);
      const piece = restored.get(key);
      const blob = piece === undefined ? undefined : await restoreBlob(committer, ref, piece);
      if (blob?.engine) this.currentEngine.restorePartition(blob.engine);
      this.chains.forget(key); // the first commit after an adoption is full
      const nextOffset = piece?.nextOffset ?? logStart(ref);
      this.trackers.set(
        key,
        new PartitionTracker(ref.topic, ref.partition, nextOffset, nowMs, blob?.idle ?? null),
      );
      seeks.push({ ...ref, nextOffset });
    }
    logger.info(
      { job, partitions: seeks.map((s) => `${s.topic}:${s.partition}@${s.nextOffset}`) },
      'partitions adopted',
    );
    return seeks;
  }
}
