/**
 * One job's consumer loop (issue 5): a kafkajs consumer in the job's own group, offsets owned by the job
 * (autoCommit off, seek to the checkpoint), micro-batches of at most maxOffsetsPerTrigger processed inside
 * eachBatch, a commit every commitInterval, the idle rule on a timer, and rebalances handled as described
 * in docs/runner.md. State and commits live in JobState; this file is the Kafka half.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { SourceRecord } from '../../events/record.ts';
import { JOB_TOPICS } from '../../events/topics.ts';
import type { PartitionRef } from '../io/commit.ts';
import type { JobHealth } from '../runtime/http-server.ts';
import { JobState, type JobStateOptions, type SeekTarget } from './job-state.ts';
import { checkTopics, fetchOffsets, TopicNames, type PartitionOffsets } from './kafka-topics.ts';
import { Mutex } from './mutex.ts';
import type { PartitionTracker } from './partition-tracker.ts';
import { RunnerError, errorCode } from './runner-error.ts';

export interface JobRunnerOptions extends JobStateOptions {
  kafka: Kafka;
  topicPrefix: string;
  groupId: string;
  sessionTimeoutMs: number;
  maxOffsetsPerTrigger: number;
  triggerIntervalMs: number;
  commitIntervalMs: number;
  resetOnGap: boolean;
}

const TICK_MS = 200;
const OFFSETS_REFRESH_MS = 1000;
const GAUGES_REFRESH_MS = 10_000;

function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: string } | undefined)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION'
  );
}

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
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private assignment: PartitionRef[] | undefined;
  private offsets = new Map<string, PartitionOffsets>();
  private offsetsAtMs = 0;
  private gaugesAtMs = 0;
  private stopping = false;
  private partitionCount = 0;

  constructor(private readonly options: JobRunnerOptions) {
    this.state = new JobState(options);
    this.names = new TopicNames(options.topicPrefix);
    this.topics = JOB_TOPICS[options.job].map((topic) => this.names.physical(topic));
    this.logger = options.logger.child({ job: options.job });
  }

  async start(): Promise<void> {
    const { kafka, groupId, triggerIntervalMs } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    this.partitionCount = await checkTopics(this.admin, this.options.job, this.topics);
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
      if (this.status !== 'failed') await this.mutex.run(() => this.commitNow(true));
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

  health(nowMs: number): JobHealth {
    const health: JobHealth = {
      state: this.status,
      lastCommitAgeSeconds: Math.round(
        (nowMs - Math.max(this.state.lastCommitAtMs, this.state.lastCleanAtMs)) / 1000,
      ),
      lag: this.state.lag,
    };
    if (this.problem !== undefined) health.problem = this.problem;
    return health;
  }

  /**
   * This instance owns every partition of the job, is caught up, and a durable commit holds an idle
   * advance at every partition's last offset: after a fixed backlog, every window is final and published.
   * (Later idle advances keep following the wall clock and committing; they change no published row.)
   */
  get settled(): boolean {
    const owned = this.state.owned;
    const all = owned.length === this.partitionCount * this.topics.length;
    return this.status === 'running' && all && owned.every((t) => t.lag === 0 && t.idleCommitted);
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
      await this.mutex.run(async () => {
        if (this.stopping) return;
        await this.reconcile();
        const tracker = this.state.tracker(this.names.contract(batch.topic), batch.partition);
        if (tracker === undefined || isStale()) return; // not ours, or a seek is pending: the data is stale
        tracker.noteHighWatermark(Number(batch.highWatermark));
        const records = this.toRecords(tracker, batch.messages);
        if (records.length > 0 && records[0]!.offset > tracker.nextOffset) await this.checkGap(tracker);
        const max = this.options.maxOffsetsPerTrigger;
        for (let start = 0; start < records.length && !this.stopping; start += max) {
          this.processChunk(tracker, records.slice(start, start + max));
          if (this.commitDue()) await this.commitNow();
        }
        if (!this.stopping) resolveOffset(batch.lastOffset());
      });
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
        await this.mutex.run(() => this.commitNow(true)).catch((e: unknown) => this.fail(e));
      throw error;
    }
  }

  private toRecords(tracker: PartitionTracker, messages: readonly KafkaMessage[]): SourceRecord[] {
    const records: SourceRecord[] = [];
    for (const message of messages) {
      const offset = Number(message.offset);
      if (offset < tracker.nextOffset) continue; // already processed (a fetch raced a seek)
      records.push({
        topic: tracker.topic,
        partition: tracker.partition,
        offset,
        timestamp: Number(message.timestamp),
        key: message.key === null ? null : message.key.toString('utf8'),
        value: message.value === null ? '' : message.value.toString('utf8'),
      });
    }
    return records;
  }

  private processChunk(tracker: PartitionTracker, records: SourceRecord[]): void {
    const startedMs = performance.now();
    const { accepted, rejected } = this.state.process(tracker, records, Date.now());
    const durationMs = performance.now() - startedMs;
    this.options.metrics.batchDuration.labels(this.options.job).observe(durationMs / 1000);
    this.logger.debug(
      {
        topic: tracker.topic,
        partition: tracker.partition,
        records: records.length,
        accepted,
        rejected,
        durationMs,
      },
      'batch',
    );
  }

  /** The batch starts after the expected offset: a retention gap if the log start moved past it. */
  private async checkGap(tracker: PartitionTracker): Promise<void> {
    await this.refreshOffsets(true);
    const low = this.offsets.get(`${this.names.physical(tracker.topic)}:${tracker.partition}`)?.low ?? 0;
    if (low <= tracker.nextOffset) return; // offsets skipped by control records: nothing was deleted
    const where = `${this.names.physical(tracker.topic)} partition ${tracker.partition}`;
    if (!this.options.resetOnGap) {
      throw new RunnerError(
        'offset_gap',
        `job ${this.options.job}: ${where}: the checkpoint resumes at offset ${tracker.nextOffset} but retention ` +
          `deleted offsets ${tracker.nextOffset}..${low - 1} (the log now starts at ${low}); restart with ` +
          `--reset-on-gap to skip them (the gap is recorded under the dead-letter prefix, _gaps/)`,
      );
    }
    this.logger.warn(
      { code: 'offset_gap', from: tracker.nextOffset, to: low },
      `${where}: skipping a retention gap`,
    );
    this.state.recordGap(tracker, low);
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
        if (this.commitDue()) await this.commitNow();
        else if (this.state.commitDone) await this.settleCommit();
        else if (!this.state.dirty && !this.state.committing && this.state.lag === 0)
          this.state.lastCleanAtMs = nowMs;
        if (nowMs - this.gaugesAtMs >= GAUGES_REFRESH_MS) this.updateGauges(nowMs);
      });
    } catch (error) {
      this.fail(error);
    }
  }

  private commitDue(): boolean {
    return this.state.dirty && Date.now() - this.state.commitStartedAtMs >= this.options.commitIntervalMs;
  }

  /**
   * Settles the commit in flight, then starts one if anything changed; its storage I/O overlaps the next
   * micro-batches (`wait`: until it is durable, for stop and rebalance).
   */
  private async commitNow(wait = false): Promise<void> {
    if (!(await this.settleCommit())) return;
    if (!this.state.dirty) return;
    this.state.startCommit();
    if (wait) await this.settleCommit();
  }

  /**
   * Takes the outcome of the commit in flight (if any). A fenced commit throws the uncommitted work away
   * and re-adopts: returns false then.
   */
  private async settleCommit(): Promise<boolean> {
    const outcome = await this.state.settle();
    if (outcome === undefined) return true;
    if (outcome.kind === 'fenced') {
      this.logger.warn({ code: 'fenced' }, outcome.message);
      await this.refreshOffsets(true);
      this.seek(await this.state.resetToCommitted((ref) => this.logStart(ref)));
      return false;
    }
    const { result, rows, prepareMs } = outcome;
    this.logger.info(
      {
        commit: result.commit,
        files: result.published.length,
        rows,
        checkpointBytes: result.checkpointBytes,
        prepareMs: Math.round(prepareMs),
        durationMs: Math.round(result.durationMs),
        attempts: result.attempts,
      },
      'checkpoint',
    );
    await this.commitGroupOffsets();
    return true;
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

  private async reconcile(): Promise<void> {
    if (this.assignment === undefined) return;
    const target = this.assignment;
    const owned = this.state.owned;
    const same =
      owned.length === target.length &&
      target.every(({ topic, partition }) => this.state.tracker(topic, partition));
    if (!same) {
      await this.settleCommit(); // its partitions' bookkeeping first (a fenced one re-adopts)
      await this.refreshOffsets(true);
      this.seek(await this.state.reconcile(target, (ref) => this.logStart(ref)));
    }
    if (this.status === 'starting') this.status = 'running';
  }

  private logStart(ref: PartitionRef): number {
    return this.offsets.get(`${this.names.physical(ref.topic)}:${ref.partition}`)?.low ?? 0;
  }

  private seek(targets: readonly SeekTarget[]): void {
    for (const { topic, partition, nextOffset } of targets) {
      this.consumer?.seek({ topic: this.names.physical(topic), partition, offset: String(nextOffset) });
    }
  }

  private async refreshOffsets(force: boolean): Promise<void> {
    const nowMs = Date.now();
    if (!force && nowMs - this.offsetsAtMs < OFFSETS_REFRESH_MS) return;
    this.offsets = await fetchOffsets(this.admin!, this.topics);
    this.offsetsAtMs = nowMs;
    const { metrics, job } = this.options;
    for (const tracker of this.state.owned) {
      const physical = this.names.physical(tracker.topic);
      const high = this.offsets.get(`${physical}:${tracker.partition}`)?.high;
      if (high !== undefined) tracker.noteHighWatermark(high);
      metrics.consumerLag.labels(job, physical, String(tracker.partition)).set(tracker.lag);
    }
  }

  private updateGauges(nowMs: number): void {
    this.gaugesAtMs = nowMs;
    const { metrics, job } = this.options;
    const engine = this.state.engineView;
    for (const view of engine.stateMetrics()) {
      metrics.openWindows.labels(job, view.view).set(view.openWindows);
      metrics.stateBytes.labels(job, view.view).set(view.approxBytes);
    }
    for (const { topic, partition, watermarkMs } of engine.watermarks()) {
      const lagS = Number.isFinite(watermarkMs) ? Math.max(0, (nowMs - watermarkMs) / 1000) : 0;
      metrics.watermarkLag.labels(job, this.names.physical(topic), String(partition)).set(lagS);
    }
    metrics.idlePartitions.labels(job).set(this.state.owned.filter((t) => t.isIdle).length);
  }
}
