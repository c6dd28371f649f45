/**
 * One job's Kafka loop (docs/runner.md): a kafkajs consumer in the job's own group, offsets owned by the
 * job (autoCommit off, seek to the checkpoint), micro-batches of at most maxOffsetsPerTrigger processed
 * inside eachBatch, a timer tick for the idle rule and quiet commits, and rebalances handled under one
 * mutex. The job without Kafka is JobState; when it commits is CommitSchedule; the retention-gap policy,
 * the broker's offsets and the metrics have their own files.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { SourceRecord } from '../../events/record.ts';
import { JOB_TOPICS } from '../../events/topics.ts';
import type { PartitionRef } from '../io/commit.ts';
import type { JobHealth } from '../runtime/http-server.ts';
import { BrokerOffsets } from './broker-offsets.ts';
import { CommitSchedule } from './commit-schedule.ts';
import { JobMetrics } from './job-metrics.ts';
import { JobState, type JobStateOptions, type SeekTarget } from './job-state.ts';
import { isRebalancing, toRecords } from './kafka-records.ts';
import { checkTopics, fetchOffsets, TopicNames, type PartitionOffsets } from './kafka-topics.ts';
import { Mutex } from './mutex.ts';
import type { ProvisionalPublisher } from './provisional-publisher.ts';
import type { PartitionTracker } from './partition-tracker.ts';
import { decideGap } from './retention-gap.ts';
import { errorCode } from '../../shared/app-error.ts';
import { withinBudget } from './stop-budget.ts';

export interface JobRunnerOptions extends JobStateOptions {
  kafka: Kafka;
  topicPrefix: string;
  groupId: string;
  sessionTimeoutMs: number;
  maxOffsetsPerTrigger: number;
  triggerIntervalMs: number;
  commitIntervalMs: number;
  /** Commits per second the job's instances aim for together (commit-schedule.ts); 0: no limit. */
  commitLogRate: number;
  resetOnGap: boolean;
  /**
   * How long a stop waits for its final commit and completion before it leaves the group anyway
   * (stop-budget.ts); unbounded when unset.
   */
  stopBudgetMs?: number;
  /** Publishes the open windows' provisional rows after batches and ticks; none when unset. */
  provisional?: ProvisionalPublisher;
}

const TICK_MS = 200;
/** How often the completing instance of a job with commit groups runs a round on the timer. */
const COMPLETION_TICK_MS = 1_000;
/** How long a stop waits for the final completion round after its commit. */
const STOP_COMPLETION_BUDGET_MS = 5000;

export class JobRunner {
  readonly state: JobState;
  status: JobHealth['state'] = 'starting';
  /** Called once when the job fails after start; the supervisor restarts it. */
  onFailed: (error: unknown) => void = () => undefined;
  problem: string | undefined;
  private readonly names: TopicNames;
  private readonly topics: string[];
  private readonly mutex = new Mutex();
  private readonly logger: Logger;
  private readonly commits: CommitSchedule;
  private readonly offsets: BrokerOffsets;
  private readonly metrics: JobMetrics;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the timer last asked for a completion round (commit groups: the completing instance). */
  private completionTickMs = 0;
  /** The assignment of the last GROUP_JOIN (contract topic names); reconciled under the mutex. */
  private assignment: PartitionRef[] | undefined;
  private stopping = false;
  /** Resolved when a stop gives up waiting for its final work: batch handlers return, the group is left. */
  private leave: () => void = () => undefined;
  private readonly leaving = new Promise<'leaving'>((resolve) => (this.leave = () => resolve('leaving')));
  private partitionCount = 0;
  /** End offsets (`physicalTopic:partition` → high-water mark) when this runner started: --available-now. */
  private startEnds: Map<string, PartitionOffsets> | undefined;

  /** The progress mark at construction: anything later is real progress. */
  private readonly createdAtMs: number;

  constructor(private readonly options: JobRunnerOptions) {
    this.state = new JobState(options);
    this.names = new TopicNames(options.topicPrefix);
    this.topics = JOB_TOPICS[options.job].map((topic) => this.names.physical(topic));
    this.logger = options.logger.child({ job: options.job });
    this.metrics = new JobMetrics(options.metrics, options.job);
    this.offsets = new BrokerOffsets(() => fetchOffsets(this.admin!, this.topics), this.names);
    this.commits = new CommitSchedule(
      this.state,
      { afterCommit: () => this.commitGroupOffsets(), afterFence: () => this.readopt() },
      {
        commitIntervalMs: options.commitIntervalMs,
        logRatePerS: options.commitLogRate,
        logger: this.logger,
      },
    );
    this.createdAtMs = this.commits.lastProgressAtMs;
  }

  async start(): Promise<void> {
    const { kafka, groupId, triggerIntervalMs } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    this.partitionCount = await checkTopics(this.admin, this.options.job, this.topics);
    this.state.completer.partitions = this.partitionCount;
    this.startEnds = await fetchOffsets(this.admin, this.topics);
    const consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: triggerIntervalMs,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.options.sessionTimeoutMs / 5)),
      // One failure model: a crashed consumer fails the job, and the supervisor restarts it from its commits.
      retry: { retries: 8, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assignment = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic: this.names.contract(topic), partition })),
      );
      this.logger.debug({ memberId: payload.memberId, partitions: this.assignment.length }, 'group joined');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.fail(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.timer = setInterval(() => void this.tick(), TICK_MS);
  }

  /** Stops fetching, finishes the micro-batch in flight, commits, leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    try {
      if (this.status !== 'failed') {
        const finalWork = this.mutex.run(async () => {
          await this.commits.commit(true);
          await this.completeWithin(STOP_COMPLETION_BUDGET_MS);
        });
        const budgetMs = this.options.stopBudgetMs ?? Infinity;
        if ((await withinBudget(finalWork, budgetMs)) === 'late') {
          this.leave();
          this.logger.warn(
            { budgetMs },
            'stop: the final commit is not durable in time; leaving the group anyway (the next owner redoes what it did not cover)',
          );
        }
      }
      // A failed job still lets its commit in flight end before a restart recovers from the log (the
      // restart would fence it anyway: it writes as another writer).
      else await this.state.settle().catch(() => undefined);
    } finally {
      await this.consumer?.stop().catch(() => undefined);
      await this.consumer?.disconnect().catch(() => undefined);
      await this.admin?.disconnect().catch(() => undefined);
      if (this.status !== 'failed') this.status = 'stopped';
    }
  }

  /**
   * What became complete goes out now, not after the flush interval, unless that takes longer than the
   * stop can wait: the commit is durable, and the next start (or another instance) publishes the rest.
   */
  private async completeWithin(budgetMs: number): Promise<void> {
    if ((await withinBudget(this.state.completeNow(), budgetMs)) === 'late')
      this.logger.warn({ budgetMs }, 'stop: completion not done in time; the next start publishes it');
  }

  /** When this runner last committed (or found nothing to commit while caught up); undefined before. */
  get progressAtMs(): number | undefined {
    const progressMs = this.commits.lastProgressAtMs;
    return progressMs > this.createdAtMs ? progressMs : undefined;
  }

  health(nowMs: number): JobHealth {
    const health: JobHealth = {
      state: this.status,
      lastCommitAgeSeconds: Math.round((nowMs - this.commits.lastProgressAtMs) / 1000),
      lag: this.state.lag,
      caughtUp: this.settled,
    };
    if (this.state.committing && !this.state.commitDone) {
      const inFlightSeconds = Math.floor((nowMs - this.state.commitStartedAtMs) / 1000);
      if (inFlightSeconds >= 1) health.commitInFlightSeconds = inFlightSeconds;
    }
    if (this.problem !== undefined) health.problem = this.problem;
    return health;
  }

  /**
   * This instance owns every partition of the job, is caught up, and a durable commit holds an idle
   * advance at every partition's last offset, and completion has published what that made complete:
   * after a fixed backlog, every window is final and its complete rows are in the views tree.
   * (Later idle advances keep following the wall clock and committing; they change no published row.)
   */
  get settled(): boolean {
    const owned = this.state.owned;
    const all = owned.length === this.partitionCount * this.topics.length;
    return (
      this.status === 'running' &&
      all &&
      owned.every((t) => t.lag === 0 && t.idleCommitted) &&
      !this.state.committing &&
      !this.state.completionWaiting
    );
  }

  /**
   * `run --available-now`: every partition of the job is owned here and read up to the end offset it had
   * when this runner started, and that is committed. A partition with nothing after that offset also
   * waits for its idle advance to be committed (what the idle rule closes is published); a busy one does
   * not wait (the stop commits it).
   */
  get reachedStartEnds(): boolean {
    const ends = this.startEnds;
    const owned = this.state.owned;
    if (this.status !== 'running' || ends === undefined) return false;
    if (owned.length !== this.partitionCount * this.topics.length) return false;
    const read = owned.every((tracker) => {
      const end = ends.get(`${this.names.physical(tracker.topic)}:${tracker.partition}`)?.high ?? 0;
      if (tracker.nextOffset < end) return false;
      return tracker.highWatermark > tracker.nextOffset || tracker.idleCommitted;
    });
    return read && !this.state.committing && !this.state.completionWaiting;
  }

  private fail(error: unknown): void {
    if (this.status === 'failed' || this.stopping) return;
    this.status = 'failed';
    this.problem = `${errorCode(error)}: ${(error as Error).message}`;
    this.logger.error({ code: errorCode(error), err: error }, 'job failed');
    clearInterval(this.timer);
    void this.stop().finally(() => this.onFailed(error));
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopping || this.status === 'failed') return;
    try {
      // kafkajs leaves the group only once this handler returns: a stop that gives up on a stuck commit
      // must not wait for a batch queued behind it (the queued work then finds `stopping` and does nothing).
      const work = this.mutex.run(async () => {
        if (this.stopping) return;
        await this.reconcile();
        const tracker = this.state.tracker(this.names.contract(batch.topic), batch.partition);
        if (tracker === undefined || isStale()) return; // not ours, or a seek is pending: the data is stale
        tracker.noteHighWatermark(Number(batch.highWatermark));
        const records = toRecords(tracker, batch.messages);
        if (records.length > 0 && records[0]!.offset > tracker.nextOffset) await this.checkGap(tracker);
        // Before the records: an engine that follows the head keeps what they close for the publisher.
        this.options.provisional?.follows(this.state.engineView, this.state.headDistance(Date.now()));
        const max = this.options.maxOffsetsPerTrigger;
        for (let start = 0; start < records.length && !this.stopping; start += max) {
          this.processChunk(tracker, records.slice(start, start + max));
          await this.commits.afterBatch();
        }
        if (!this.stopping) resolveOffset(batch.lastOffset());
        const nowMs = Date.now();
        this.options.provisional?.maybePublish(this.state.engineView, nowMs, this.state.headDistance(nowMs));
      });
      if ((await Promise.race([work, this.leaving])) === 'leaving') return;
    } catch (error) {
      this.fail(error);
      return;
    }
    try {
      await heartbeat();
    } catch (error) {
      // A rebalance is starting and we still own our partitions: commit first, so the next owner starts
      // from here rather than from the previous commit. Then let kafkajs rejoin.
      if (isRebalancing(error))
        await this.mutex.run(() => this.commits.commit(true)).catch((e: unknown) => this.fail(e));
      throw error;
    }
  }

  private processChunk(tracker: PartitionTracker, records: SourceRecord[]): void {
    const startedMs = performance.now();
    const { accepted, rejected } = this.state.process(tracker, records, Date.now());
    const durationMs = performance.now() - startedMs;
    this.metrics.batchDuration(durationMs);
    const { topic, partition } = tracker;
    this.logger.debug({ topic, partition, records: records.length, accepted, rejected, durationMs }, 'batch');
  }

  /** The batch starts after the expected offset: a retention gap if the log start moved past it. */
  private async checkGap(tracker: PartitionTracker): Promise<void> {
    await this.refreshOffsets(true);
    const check = {
      job: this.options.job,
      physicalTopic: this.names.physical(tracker.topic),
      partition: tracker.partition,
      nextOffset: tracker.nextOffset,
      logStartOffset: this.offsets.logStart(tracker),
    };
    const decision = decideGap(check, this.options.resetOnGap);
    if (decision.kind === 'fail') throw decision.error;
    if (decision.kind === 'no_gap') return;
    const { fromOffset: from, toOffset: to, where } = decision;
    this.logger.warn({ code: 'offset_gap', from, to }, `${where}: skipping a retention gap`);
    this.state.recordGap(tracker, to);
  }

  private async tick(): Promise<void> {
    if (this.stopping || this.status === 'failed' || this.mutex.busy) return;
    try {
      await this.mutex.run(async () => {
        if (this.stopping) return;
        const nowMs = Date.now();
        await this.refreshOffsets(false);
        await this.reconcile();
        this.state.applyIdle(nowMs);
        this.options.provisional?.maybePublish(this.state.engineView, nowMs, this.state.headDistance(nowMs));
        await this.commits.onTick(nowMs);
        if (nowMs - this.completionTickMs >= COMPLETION_TICK_MS) {
          this.completionTickMs = nowMs;
          this.state.requestCompletion();
        }
        this.metrics.stateGauges(nowMs, this.state.engineView, this.state.owned, (t) =>
          this.names.physical(t),
        );
      });
    } catch (error) {
      this.fail(error);
    }
  }

  /** Makes the owned partitions the last GROUP_JOIN's assignment (settling the commit in flight first). */
  private async reconcile(): Promise<void> {
    if (this.assignment === undefined) return;
    const target = this.assignment;
    if (!this.state.owns(target)) {
      await this.commits.settle(); // its partitions' bookkeeping first (a fenced one re-adopts)
      await this.refreshOffsets(true);
      this.seek(await this.state.reconcile(target, (ref) => this.offsets.logStart(ref)));
    }
    if (this.status === 'starting') this.status = 'running';
  }

  /** After a fenced commit: the owned partitions again, from the log. */
  private async readopt(): Promise<void> {
    await this.refreshOffsets(true);
    this.seek(await this.state.resetToCommitted((ref) => this.offsets.logStart(ref)));
  }

  private seek(targets: readonly SeekTarget[]): void {
    for (const { topic, partition, nextOffset } of targets) {
      this.consumer?.seek({ topic: this.names.physical(topic), partition, offset: String(nextOffset) });
    }
  }

  /** Consumer-group offsets for lag tools only; the checkpoint is the truth. */
  private async commitGroupOffsets(): Promise<void> {
    const topicPartitions = this.state.owned.map((t) => ({
      topic: this.names.physical(t.topic),
      partition: t.partition,
      offset: String(t.nextOffset),
    }));
    await this.consumer?.commitOffsets(topicPartitions).catch((error: unknown) => {
      this.logger.debug({ code: errorCode(error) }, 'group offsets not committed (rebalancing?)');
    });
  }

  /** Broker offsets (at most once a second unless forced): high-water marks of the owned partitions, lag. */
  private async refreshOffsets(force: boolean): Promise<void> {
    if (!(await this.offsets.refresh(force))) return;
    for (const tracker of this.state.owned) {
      const high = this.offsets.highWatermark(tracker);
      if (high !== undefined) tracker.noteHighWatermark(high);
      this.metrics.consumerLag(this.names.physical(tracker.topic), tracker.partition, tracker.lag);
    }
  }
}
