/**
 * The Kafka-free half of a job's run loop: the engine and the partitions this instance owns, what is
 * waiting for the next commit (rows are drained at commit time, dead letters, gaps, latencies), the idle
 * rule, and the commit/recovery protocol through io's JobCommitter. The Kafka half (job-runner.ts) feeds it
 * records and seeks the consumer to the offsets it returns.
 */
import type { Logger } from 'pino';
import type { SourceRecord } from '../../events/record.ts';
import type { JobName } from '../../events/topics.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { JobEngine } from '../engine/job-engine.ts';
import type { JournalMark } from '../engine/partition-clock.ts';
import type { AnyView } from '../engine/view-definition.ts';
import type { PartitionSnapshot } from '../io/checkpoint-codec.ts';
import { partitionKey } from '../io/checkpoint-store.ts';
import { JobCommitter, type CommitResult, type PartitionRef } from '../io/commit.ts';
import type { Rejection } from '../io/dead-letter.ts';
import type { StorageLayout } from '../io/layout.ts';
import type { ObjectStore } from '../io/object-store.ts';
import { isStorageError } from '../io/storage-error.ts';
import type { Metrics } from '../runtime/metrics.ts';
import { LatencyRecorder, type PendingLatencies } from './latency.ts';
import { commitOutputFiles, deadLetter, finalityLatenciesS, type OffsetGap } from './output-files.ts';
import { encodePartitionBlobBytes, type ChainLink } from './partition-state-blob.ts';
import { PartitionTracker } from './partition-tracker.ts';
import { restoreBlob, StateChains } from './state-chains.ts';

export interface JobStateOptions {
  job: JobName;
  views: readonly AnyView[];
  store: ObjectStore;
  layout: StorageLayout;
  writerId?: string;
  watermarkDelayMs: number;
  sessionGapMs: number;
  /** 0 turns the idle rule off. */
  idleTimeoutMs: number;
  keepCheckpoints: number;
  metrics: Metrics;
  logger: Logger;
  nowMs?: () => number;
}

/** Where the consumer must continue for a partition just (re)adopted. */
export interface SeekTarget extends PartitionRef {
  nextOffset: number;
}

export type CommitOutcome =
  | { kind: 'committed'; result: CommitResult; rows: number; prepareMs: number }
  | { kind: 'fenced'; message: string };

export class JobState {
  readonly committer: JobCommitter;
  readonly latency = new LatencyRecorder();
  private engine: JobEngine;
  private readonly trackers = new Map<string, PartitionTracker>();
  /** Incremental state chains of the owned partitions (what the next commit may store as a delta). */
  private readonly chains = new StateChains();
  private rejections: Rejection[] = [];
  private gaps: OffsetGap[] = [];
  private readonly nowMs: () => number;
  /** When the last commit became durable (health), and when the latest one started (commit cadence). */
  lastCommitAtMs: number;
  commitStartedAtMs: number;
  private inflightDone = false;
  private inflight: Promise<{ ok: true; outcome: CommitOutcome } | { ok: false; error: unknown }> | undefined;
  /** Last time nothing was waiting to be committed and the job was caught up (health). */
  lastCleanAtMs: number;

  constructor(private readonly options: JobStateOptions) {
    this.nowMs = options.nowMs ?? Date.now;
    this.engine = this.newEngine();
    const committerOptions = {
      job: options.job,
      layout: options.layout,
      keepCommits: options.keepCheckpoints,
      nowMs: this.nowMs,
      ...(options.writerId === undefined ? {} : { writerId: options.writerId }),
    };
    this.committer = new JobCommitter(options.store, committerOptions);
    this.lastCommitAtMs = this.lastCleanAtMs = this.commitStartedAtMs = this.nowMs();
  }

  private newEngine(): JobEngine {
    const { job, views, watermarkDelayMs, sessionGapMs } = this.options;
    return new JobEngine(job, views, { watermarkDelayMs, sessionGapMs });
  }

  tracker(topic: string, partition: number): PartitionTracker | undefined {
    return this.trackers.get(partitionKey(topic, partition));
  }

  get owned(): PartitionTracker[] {
    return [...this.trackers.values()];
  }

  get dirty(): boolean {
    return this.owned.some((tracker) => tracker.dirty) || this.gaps.length > 0;
  }

  get lag(): number {
    return this.owned.reduce((sum, tracker) => sum + tracker.lag, 0);
  }

  get engineView(): JobEngine {
    return this.engine;
  }

  /**
   * Makes the owned set `target`: drops partitions no longer assigned (their uncommitted progress is
   * redone by the next owner from the last commit), recovers new ones. Returns where to seek.
   */
  async reconcile(
    target: readonly PartitionRef[],
    logStart: (ref: PartitionRef) => number,
  ): Promise<SeekTarget[]> {
    this.assertNoCommitInFlight();
    const wanted = new Set(target.map(({ topic, partition }) => partitionKey(topic, partition)));
    const lost = this.owned.filter(({ topic, partition }) => !wanted.has(partitionKey(topic, partition)));
    if (lost.length > 0) {
      this.committer.release(lost);
      for (const { topic, partition } of lost) {
        this.engine.dropPartition(topic, partition);
        this.trackers.delete(partitionKey(topic, partition));
        this.chains.forget(partitionKey(topic, partition));
      }
      const lostKeys = new Set(lost.map(({ topic, partition }) => partitionKey(topic, partition)));
      this.rejections = this.rejections.filter((r) => !lostKeys.has(partitionKey(r.topic, r.partition)));
      this.gaps = this.gaps.filter((g) => !lostKeys.has(partitionKey(g.topic, g.partition)));
      this.options.logger.info({ job: this.options.job, partitions: [...lostKeys] }, 'partitions revoked');
    }
    const gained = target.filter(
      ({ topic, partition }) => !this.trackers.has(partitionKey(topic, partition)),
    );
    return gained.length === 0 ? [] : this.adopt(gained, logStart);
  }

  /** Restores partitions from their newest commits (or the log start) and takes ownership of them. */
  private async adopt(
    refs: readonly PartitionRef[],
    logStart: (ref: PartitionRef) => number,
  ): Promise<SeekTarget[]> {
    const restored = await this.committer.recover(refs);
    const nowMs = this.nowMs();
    const seeks: SeekTarget[] = [];
    for (const ref of refs) {
      const key = partitionKey(ref.topic, ref.partition);
      const piece = restored.get(key);
      const blob = piece === undefined ? undefined : await restoreBlob(this.committer, ref, piece);
      if (blob?.engine) this.engine.restorePartition(blob.engine);
      this.chains.forget(key); // the first commit after an adoption is full
      const nextOffset = piece?.nextOffset ?? logStart(ref);
      this.trackers.set(
        key,
        new PartitionTracker(ref.topic, ref.partition, nextOffset, nowMs, blob?.idle ?? null),
      );
      seeks.push({ ...ref, nextOffset });
    }
    this.options.logger.info(
      { job: this.options.job, partitions: seeks.map((s) => `${s.topic}:${s.partition}@${s.nextOffset}`) },
      'partitions adopted',
    );
    return seeks;
  }

  /** Throws everything uncommitted away and recovers the owned partitions from the commit log again. */
  async resetToCommitted(logStart: (ref: PartitionRef) => number): Promise<SeekTarget[]> {
    this.assertNoCommitInFlight();
    const refs = this.owned.map(({ topic, partition }) => ({ topic, partition }));
    this.committer.release(refs);
    this.trackers.clear();
    this.chains.clear();
    this.engine = this.newEngine();
    this.rejections = [];
    this.gaps = [];
    this.latency.discard();
    return this.adopt(refs, logStart);
  }

  /** One micro-batch of one partition, in offset order, all at or after the tracker's next offset. */
  process(
    tracker: PartitionTracker,
    records: readonly SourceRecord[],
    nowMs: number,
  ): { accepted: number; rejected: number } {
    const { job } = this.options;
    const { metrics } = this.options;
    for (const record of records) this.latency.add(record.timestamp);
    const result = this.engine.process(records);
    metrics.recordsIn.labels(job, tracker.topic).inc(records.length);
    metrics.accepted.labels(job, tracker.topic).inc(result.accepted);
    if (result.rejected.length > 0) {
      const keyByOffset = new Map(records.map((record) => [record.offset, record.key]));
      for (const rejection of result.rejected) {
        this.rejections.push(deadLetter(rejection, keyByOffset.get(rejection.offset) ?? null));
        metrics.rejected.labels(job, rejection.topic, rejection.reason).inc();
      }
    }
    tracker.advanced(records[records.length - 1]!.offset, nowMs);
    return { accepted: result.accepted, rejected: result.rejected.length };
  }

  recordGap(tracker: PartitionTracker, toOffset: number): void {
    const { topic, partition, nextOffset } = tracker;
    this.gaps.push({ topic, partition, fromOffset: nextOffset, toOffset, detectedAtMs: this.nowMs() });
    tracker.nextOffset = toOffset;
    tracker.dirty = true;
  }

  /** The idle rule for every owned partition; the advance is recorded at the partition's next offset. */
  applyIdle(nowMs: number): number {
    const { idleTimeoutMs, watermarkDelayMs } = this.options;
    if (idleTimeoutMs <= 0) return 0;
    let advanced = 0;
    for (const tracker of this.owned) {
      const watermarkMs = tracker.idleWatermarkDue(nowMs, idleTimeoutMs, watermarkDelayMs);
      if (watermarkMs === undefined) continue;
      this.engine.advanceIdle(tracker.topic as never, tracker.partition, watermarkMs);
      tracker.recordIdle(watermarkMs, nowMs);
      advanced++;
    }
    return advanced;
  }

  /** A changed partition's checkpoint state: incremental when its chain allows it, else full. */
  private encodeState(tracker: PartitionTracker, renew: boolean): EncodedState {
    const { topic, partition } = tracker;
    let link = this.chains.nextLink(partitionKey(topic, partition), renew);
    if (link !== null && !this.engine.canSnapshotIncrementally(topic, partition)) link = null;
    const engine = this.engine.encodePartition(topic, partition, link !== null);
    if (engine === undefined) link = null;
    const snapshot: PartitionSnapshot = {
      topic,
      partition,
      nextOffset: tracker.nextOffset,
      state: encodePartitionBlobBytes(tracker.idle, link, engine?.bytes ?? null),
    };
    if (link !== null) snapshot.baseCommit = link.baseCommit;
    return { snapshot, link, mark: engine?.mark, idleOffset: tracker.idle?.atOffset ?? -1 };
  }

  /**
   * Starts a commit (semantics.md "Exactly-once"): drains what became final and encodes the changed
   * partitions' state and the output files now, synchronously, so records processed afterwards belong to
   * the next commit; the storage I/O then runs in the background while processing goes on. At most one
   * commit is in flight: `settle()` (which `commit()` and every later start wait for) gives its outcome.
   */
  startCommit(): void {
    if (this.inflight !== undefined) throw new Error(`${this.options.job}: a commit is already in flight`);
    const { views, layout } = this.options;
    const startedMs = performance.now();
    this.commitStartedAtMs = this.nowMs();
    const rowsByView = this.engine.drainFinal();
    const changed = this.owned.filter((tracker) => tracker.dirty);
    const renewing = changed.find(({ topic, partition }) => this.chains.due(partitionKey(topic, partition)));
    const encoded = changed.map((tracker) => this.encodeState(tracker, tracker === renewing));
    const files = commitOutputFiles(views, rowsByView, this.rejections, this.gaps, layout);
    const prepared: PreparedCommit = {
      changed,
      encoded,
      rowsByView,
      latencies: this.latency.seal(),
      prepareMs: performance.now() - startedMs,
    };
    for (const tracker of changed) tracker.dirty = false;
    this.rejections = [];
    this.gaps = [];
    const snapshots = encoded.map(({ snapshot }) => snapshot);
    // The outcome (or error) is kept for settle(): a rejection nobody awaits yet must not go unhandled.
    this.inflightDone = false;
    // Visible first (the latencies count to then), and the tidy-up of storage is part of being in flight.
    this.inflight = this.committer.commitVisible(snapshots, files).then(
      async (result) => {
        try {
          const outcome = this.finishCommit(prepared, result);
          await this.committer.tidied();
          return { ok: true as const, outcome };
        } catch (error) {
          return { ok: false as const, error };
        }
      },
      (error: unknown) =>
        isStorageError(error, 'fenced')
          ? { ok: true as const, outcome: { kind: 'fenced' as const, message: error.message } }
          : { ok: false as const, error },
    );
    void this.inflight.then(() => (this.inflightDone = true));
  }

  /** Ownership changes only between commits: a commit in flight holds its partitions' bookkeeping. */
  private assertNoCommitInFlight(): void {
    if (this.inflight !== undefined)
      throw new Error(`${this.options.job}: settle the commit in flight first`);
  }

  /** True while a commit's I/O is under way or its outcome has not been taken by `settle()`. */
  get committing(): boolean {
    return this.inflight !== undefined;
  }

  /** True when the commit in flight has finished and `settle()` would not wait. */
  get commitDone(): boolean {
    return this.inflightDone;
  }

  /** Waits for the commit in flight; its outcome, or undefined when none was in flight. Rethrows its error. */
  async settle(): Promise<CommitOutcome | undefined> {
    const inflight = this.inflight;
    if (inflight === undefined) return undefined;
    const settled = await inflight;
    this.inflight = undefined;
    this.inflightDone = false;
    if (!settled.ok) throw settled.error;
    return settled.outcome;
  }

  /** Settles the commit in flight, then commits what is waiting and waits for it. */
  async commit(): Promise<CommitOutcome> {
    const previous = await this.settle();
    if (previous?.kind === 'fenced') return previous;
    this.startCommit();
    return (await this.settle())!;
  }

  /** Bookkeeping once a commit's checkpoint is durable and its files are published. */
  private finishCommit(prepared: PreparedCommit, result: CommitResult): CommitOutcome {
    const { job, views, metrics, watermarkDelayMs } = this.options;
    const visibleMs = this.nowMs();
    this.lastCommitAtMs = visibleMs;
    prepared.changed.forEach((tracker, index) => {
      const { snapshot, link, mark, idleOffset } = prepared.encoded[index]!;
      if (this.trackers.get(partitionKey(tracker.topic, tracker.partition)) !== tracker) return;
      tracker.committedIdleOffset = idleOffset;
      if (mark !== undefined) this.engine.partitionCommitted(tracker.topic, tracker.partition, mark);
      this.chains.committed(
        partitionKey(tracker.topic, tracker.partition),
        result.commit,
        link,
        snapshot.state.byteLength,
      );
    });
    this.latency.committed(prepared.latencies, visibleMs, metrics.processingLatency, job);
    const finality = metrics.finalityLatency.labels(job);
    const latencies = finalityLatenciesS(views, prepared.rowsByView, watermarkDelayMs, visibleMs);
    for (const seconds of latencies) finality.observe(seconds);
    metrics.checkpointDuration.labels(job).observe(result.durationMs / 1000);
    metrics.checkpointBytes.labels(job).set(result.checkpointBytes);
    return { kind: 'committed', result, rows: latencies.length, prepareMs: prepared.prepareMs };
  }
}

/** A changed partition's checkpoint entry, with what the chain and the id journal note once it commits. */
interface EncodedState {
  snapshot: PartitionSnapshot;
  link: ChainLink | null;
  mark: JournalMark | undefined;
  /** Offset of the partition's idle advance in this commit (-1: none). */
  idleOffset: number;
}

/** What a started commit needs once its I/O is done. */
interface PreparedCommit {
  changed: PartitionTracker[];
  encoded: EncodedState[];
  rowsByView: Map<string, ViewRow[]>;
  latencies: PendingLatencies;
  prepareMs: number;
}
