/**
 * A job's run loop without Kafka: what changes its partitions' state (records, retention gaps, the idle
 * rule), changes of ownership, and commits. It wires the pieces, each in its own file: the owned
 * partitions and the engine (partition-ownership.ts), what waits for the next commit (pending-output.ts),
 * what a commit holds (commit-contents.ts), the one commit in flight (commit-pipeline.ts), and the metrics
 * (job-metrics.ts). The Kafka half (job-runner.ts) feeds it records and seeks to the offsets it returns.
 */
import type { Logger } from 'pino';
import type { SourceRecord } from '../../events/record.ts';
import { JOB_TOPICS, type JobName } from '../../events/topics.ts';
import { JobEngine } from '../engine/job-engine.ts';
import type { AnyView } from '../engine/view-definition.ts';
import type { PartitionRef } from '../io/commit.ts';
import { CommitGroups, type GroupResult } from '../io/commit-groups.ts';
import type { OutputFile, StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { Metrics } from '../runtime/metrics.ts';
import { PACKAGE_VERSION } from '../../shared/version.ts';
import { isStorageError } from '../../storage/storage-error.ts';
import { commitContentsSteps, notePartitionsCommitted, type CommitContents } from './commit-contents.ts';
import {
  CommitPipeline,
  summedResult,
  type CommitOutcome,
  type Committed,
  type PreparedWrite,
} from './commit-pipeline.ts';
import { Completer, type CompletionOutcome } from './completer.ts';
import { CompletionLoop } from './completion-loop.ts';
import { JobMetrics, type PublishedFile } from './job-metrics.ts';
import type { LatencyRecorder } from './latency.ts';
import { PartitionOwnership, type LogStart, type SeekTarget } from './partition-ownership.ts';
import type { PartitionTracker } from './partition-tracker.ts';
import { PendingOutput } from './pending-output.ts';
import type { HeadDistance } from './provisional-publisher.ts';
import { runSliced, type SlicedResult } from './sliced-steps.ts';

export type { CommitOutcome } from './commit-pipeline.ts';
export type { SeekTarget } from './partition-ownership.ts';

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
  /** Partition groups with a commit log each (io/commit-groups.ts); default 1, the one shared log. */
  commitGroups?: number;
  /** Partitions per topic: completeness waits for every one of them. */
  partitions: number;
  /** How long complete session rows may wait to share a file (windowed rows go at once). */
  flushIntervalMs: number;
  /** Archive every validated record (docs/storage.md "Raw archive"); default true. */
  rawArchive?: boolean;
  metrics: Metrics;
  logger: Logger;
  nowMs?: () => number;
  /** How long a commit's contents are taken before the loop gets a turn (sliced-steps.ts); tests use 0. */
  commitSliceMs?: number;
}

export class JobState {
  readonly committer: CommitGroups;
  readonly completer: Completer;
  private readonly ownership: PartitionOwnership;
  private readonly pending: PendingOutput;
  private readonly commits: CommitPipeline;
  private readonly completion: CompletionLoop;
  private readonly metrics: JobMetrics;
  private readonly nowMs: () => number;
  /** A commit's contents are being taken in slices (startCommit). */
  private preparing = false;

  constructor(private readonly options: JobStateOptions) {
    const { job, views, watermarkDelayMs, sessionGapMs, logger } = options;
    this.nowMs = options.nowMs ?? Date.now;
    this.pending = new PendingOutput({ archive: options.rawArchive ?? true });
    this.metrics = new JobMetrics(options.metrics, job);
    this.committer = new CommitGroups(options.store, {
      job,
      groups: options.commitGroups ?? 1,
      layout: options.layout,
      keepCommits: options.keepCheckpoints,
      nowMs: this.nowMs,
      observer: this.metrics.commitObserver(),
      ...(options.writerId === undefined ? {} : { writerId: options.writerId }),
    });
    const newEngine = (): JobEngine => new JobEngine(job, views, { watermarkDelayMs, sessionGapMs });
    this.ownership = new PartitionOwnership({
      job,
      committer: this.committer,
      newEngine,
      nowMs: this.nowMs,
      logger,
    });
    this.completer = new Completer(options.store, this.committer, {
      job,
      views,
      layout: options.layout,
      partitions: options.partitions,
      writerId: this.committer.writerId,
      flushIntervalMs: options.flushIntervalMs,
      watermarkDelayMs,
      processorVersion: PACKAGE_VERSION,
      nowMs: this.nowMs,
    });
    this.commits = new CommitPipeline(job, this.committer, this.nowMs);
    this.completion = new CompletionLoop(async () => this.completed(await this.completer.round()));
  }

  tracker(topic: string, partition: number): PartitionTracker | undefined {
    return this.ownership.tracker(topic, partition);
  }

  get owned(): PartitionTracker[] {
    return this.ownership.owned;
  }

  /** True when the owned partitions are exactly `target`. */
  owns(target: readonly PartitionRef[]): boolean {
    return this.ownership.matches(target);
  }

  /** Something (records, an idle advance, a gap) waits for the next commit. */
  get dirty(): boolean {
    return this.owned.some((tracker) => tracker.dirty) || this.pending.hasGaps;
  }

  /** Instances of the job committing to its log lately, this one included (io/commit.ts). */
  get activeWriters(): number {
    return this.committer.activeWriters(this.nowMs());
  }

  get lag(): number {
    return this.owned.reduce((sum, tracker) => sum + tracker.lag, 0);
  }

  /** How far the job is from the head of its partitions: records behind, and the oldest partition's age. */
  headDistance(nowMs: number): HeadDistance {
    let behindMs = 0;
    for (const tracker of this.owned) behindMs = Math.max(behindMs, tracker.behindMs(nowMs));
    return { records: this.lag, behindMs };
  }

  get engineView(): JobEngine {
    return this.ownership.engine;
  }

  /** Processing latencies of every commit so far (quantiles). */
  get latency(): LatencyRecorder {
    return this.pending.latency;
  }

  /**
   * Makes the owned set `target`: drops partitions no longer assigned (their uncommitted progress is
   * redone by the next owner from the last commit), recovers new ones. Returns where to seek. If the
   * log shows that another writer committed partitions this one kept (it was paused past its session
   * and is back), everything held is stale: all of `target` comes again from the log.
   */
  async reconcile(target: readonly PartitionRef[], logStart: LogStart): Promise<SeekTarget[]> {
    this.commits.assertSettled();
    const released = this.ownership.keepOnly(target);
    if (released.size > 0) this.pending.dropPartitions(released);
    const gained = this.ownership.missing(target);
    if (gained.length === 0) return [];
    try {
      return await this.ownership.adopt(gained, logStart);
    } catch (error) {
      if (!isStorageError(error, 'fenced')) throw error;
      this.options.logger.warn({ code: 'fenced' }, (error as Error).message);
      this.ownership.releaseAll();
      this.pending.discard();
      return this.ownership.adopt(target, logStart);
    }
  }

  /** Throws everything uncommitted away and recovers the owned partitions from the commit log again. */
  async resetToCommitted(logStart: LogStart): Promise<SeekTarget[]> {
    this.commits.assertSettled();
    const refs = this.ownership.releaseAll();
    this.pending.discard();
    return this.ownership.adopt(refs, logStart);
  }

  /** One micro-batch of one partition, in offset order, all at or after the tracker's next offset. */
  process(
    tracker: PartitionTracker,
    records: readonly SourceRecord[],
    nowMs: number,
  ): { accepted: number; rejected: number } {
    const result = this.ownership.engine.process(records);
    this.pending.processed(records, result.rejected);
    this.metrics.processed(tracker.topic, records.length, result.accepted, result.rejected);
    const last = records[records.length - 1]!;
    tracker.advanced(last.offset, nowMs, last.timestamp);
    return { accepted: result.accepted, rejected: result.rejected.length };
  }

  /** Retention deleted the offsets from the tracker's next offset up to `toOffset`: skip and record them. */
  recordGap(tracker: PartitionTracker, toOffset: number): void {
    const { topic, partition, nextOffset } = tracker;
    this.pending.gap({ topic, partition, fromOffset: nextOffset, toOffset, detectedAtMs: this.nowMs() });
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
      this.ownership.engine.advanceIdle(tracker.topic as never, tracker.partition, watermarkMs);
      tracker.recordIdle(watermarkMs, nowMs);
      advanced++;
    }
    return advanced;
  }

  /**
   * Starts a commit of what is waiting; its storage I/O runs in the background (commit-pipeline.ts).
   * Throws while one is in flight: `settle()` it first. Taking the contents is synchronous unless it is
   * long (a busy partition's whole state): then it runs in slices, the process's other jobs run between
   * them, and this job processes nothing until the returned promise resolves.
   */
  startCommit(): Promise<void> {
    this.commits.assertIdle();
    if (this.preparing) throw new Error(`${this.options.job}: a commit is being prepared`);
    const { views, layout } = this.options;
    const groups = this.committer.groups;
    const steps = commitContentsSteps(this.ownership, this.pending, views, layout, groups);
    const taken = runSliced(steps, this.options.commitSliceMs);
    const start = ({ value, busyMs }: SlicedResult<CommitContents>): void =>
      this.commits.start(() => this.prepareCommit({ ...value, prepareMs: busyMs }));
    if (!(taken instanceof Promise)) {
      start(taken);
      return Promise.resolve();
    }
    this.preparing = true;
    return taken.then(start).finally(() => (this.preparing = false));
  }

  private prepareCommit({ parts, latencies, prepareMs }: CommitContents): PreparedWrite {
    let rows = 0;
    for (const part of parts) for (const viewRows of part.rowsByView.values()) rows += viewRows.length;
    // Bookkeeping once the checkpoints are durable and the files are published.
    const visible = (results: GroupResult[], visibleMs: number): Committed => {
      const completes = this.completes;
      this.completer.active = completes;
      parts.forEach((part, index) => {
        const result = results[index]!;
        notePartitionsCommitted(this.ownership, part.encoded, result);
        this.completer.ownRows(part.group, result.commit, part.rowsByView, result.published);
      });
      const result = summedResult(results);
      this.metrics.committed({ result, visibleMs, latencies }, this.latency);
      const files = parts.flatMap((part) => part.files);
      this.metrics.filesPublished('partials', publishedIn(files, this.options.layout.partialsPrefix));
      // Then the rows the commit made complete, if any, beside the next commits.
      if (completes) this.completion.request();
      return { kind: 'committed', result, results, rows, prepareMs };
    };
    return { writes: parts, visible };
  }

  private completed(outcome: CompletionOutcome | undefined): void {
    if (outcome === undefined) return;
    this.metrics.completed(outcome);
    const { completion, completedThroughMs, rows } = outcome;
    const through = Number.isFinite(completedThroughMs) ? new Date(completedThroughMs).toISOString() : null;
    const files = outcome.files.length;
    const recordFiles = outcome.recordFiles.length;
    this.options.logger[rows > 0 ? 'info' : 'debug'](
      { completion, through, rows, files, recordFiles },
      'completion',
    );
  }

  /**
   * Whether this instance publishes complete rows. With one log, every instance does (each reads every
   * commit anyway). With commit groups only the owner of the job's first partition does: it alone lists
   * every group's log and reads the others' commits, once per job instead of once per instance. Two at once
   * (a rebalance) are safe, the completion log's conditional put decides; none for a moment only delays.
   */
  get completes(): boolean {
    if (this.committer.groups === 1) return true;
    return this.ownership.tracker(JOB_TOPICS[this.options.job][0]!, 0) !== undefined;
  }

  /** With commit groups, the completing instance runs a round on the timer too: others' commits move W. */
  requestCompletion(): void {
    if (this.committer.groups === 1 || !this.completes) return;
    this.completer.active = true;
    this.completion.request();
  }

  /** Publishes what is complete now, whatever the flush policy (stop): settle the commit in flight first. */
  async completeNow(): Promise<void> {
    if (!this.completes) return;
    this.completer.active = true;
    this.commits.assertSettled();
    await this.completionIdle();
    this.completed(await this.completer.round(true));
  }

  /** A completion round runs, or complete rows wait for the flush interval (a settled job has neither). */
  get completionWaiting(): boolean {
    return this.completion.busy || this.completer.waiting > 0;
  }

  /** Waits for the completion rounds asked for so far; rethrows a failed one. */
  async completionIdle(): Promise<void> {
    await this.completion.idle();
    this.completion.throwIfFailed();
  }

  /** True while a commit's I/O is under way or its outcome has not been taken by `settle()`. */
  get committing(): boolean {
    return this.commits.inFlight;
  }

  /** True when the commit in flight has finished and `settle()` would not wait. */
  get commitDone(): boolean {
    return this.commits.done;
  }

  /** When the latest commit started (the commit cadence). */
  get commitStartedAtMs(): number {
    return this.commits.startedAtMs;
  }

  /** When the last commit became visible (health). */
  get lastCommitAtMs(): number {
    return this.commits.visibleAtMs;
  }

  /** Waits for the commit in flight; its outcome, or undefined when none was in flight. Rethrows its error. */
  async settle(): Promise<CommitOutcome | undefined> {
    const outcome = await this.commits.settle();
    this.completion.throwIfFailed(); // a failed completion round fails the job like a failed commit
    return outcome;
  }

  /** Settles the commit in flight, then commits what is waiting and waits for it and its completion round. */
  async commit(): Promise<CommitOutcome> {
    const previous = await this.settle();
    if (previous?.kind === 'fenced') return previous;
    await this.startCommit();
    const outcome = (await this.settle())!;
    await this.completionIdle();
    return outcome;
  }
}

/** The files of a commit under `prefix`, by the view or topic directory they are in. */
function publishedIn(files: readonly OutputFile[], prefix: string): PublishedFile[] {
  return files
    .filter((file) => file.dir.startsWith(prefix))
    .map((file) => ({
      dataset: file.dir.slice(prefix.length, file.dir.indexOf('/', prefix.length)),
      bytes: file.body.byteLength,
    }));
}
