/**
 * Data for the serving scenario, published the way production publishes it but without Kafka: the five
 * jobs' run loops (JobState, as the runner drives it) over generated records into a file:// store, one
 * commit and completion round per step, the idle rule on the simulated clock. `publishDay` fills a UTC
 * day; `step` then feeds the next records while subscribers watch the completeness move on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceRecord } from '../events/record.ts';
import { JOBS, JOB_TOPICS, type JobName } from '../events/topics.ts';
import { generateRecords } from '../generator/generate-records.ts';
import { JOB_VIEWS } from '../processor/jobs.ts';
import { CompletenessReader } from '../processor/query/completeness.ts';
import { JobState } from '../processor/runner/job-state.ts';
import { createLogger } from '../processor/runtime/logger.ts';
import { createMetrics } from '../processor/runtime/metrics.ts';
import { FileObjectStore } from '../storage/file-object-store.ts';
import { DEFAULT_LAYOUT } from '../storage/layout.ts';

const PARTITIONS = 6;
const WATERMARK_DELAY_MS = 120_000;
/** Records per commit while the day is filled. */
const DAY_CHUNK = 20_000;

export interface ServingDataOptions {
  dayStartMs: number;
  /** Population of the simulated world: about 0.045 events/s each, so the day has users × 3,900 records. */
  users: number;
  /** Records kept for `step` after the day. */
  liveRecords: number;
}

export class ServingData {
  readonly store: FileObjectStore;
  private readonly states = new Map<JobName, JobState>();
  private readonly jobOfTopic = new Map<string, JobName>();
  private readonly completeness: CompletenessReader;
  private records: SourceRecord[] = [];
  private next = 0;
  /** The simulated clock (the newest record fed): the idle rule and the trackers run on it. */
  private clockMs: number;

  private constructor(
    readonly dir: string,
    private readonly options: ServingDataOptions,
  ) {
    this.store = new FileObjectStore(dir);
    this.clockMs = options.dayStartMs;
    this.completeness = new CompletenessReader(this.store, DEFAULT_LAYOUT);
    const metrics = createMetrics();
    const logger = createLogger({ level: 'silent', format: 'json' });
    for (const job of JOBS) {
      for (const topic of JOB_TOPICS[job]) this.jobOfTopic.set(topic, job);
      this.states.set(
        job,
        new JobState({
          job,
          views: JOB_VIEWS[job],
          store: this.store,
          layout: DEFAULT_LAYOUT,
          writerId: `serving_load_${job}`,
          watermarkDelayMs: WATERMARK_DELAY_MS,
          sessionGapMs: 600_000,
          idleTimeoutMs: 1,
          keepCheckpoints: 3,
          partitions: PARTITIONS,
          flushIntervalMs: 0,
          rawArchive: false,
          metrics,
          logger,
          nowMs: () => this.clockMs,
        }),
      );
    }
  }

  static async create(options: ServingDataOptions): Promise<ServingData> {
    const data = new ServingData(await mkdtemp(join(tmpdir(), 'serving-load-')), options);
    for (const [job, state] of data.states) {
      const partitions = JOB_TOPICS[job].flatMap((topic) =>
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })),
      );
      await state.reconcile(partitions, () => 0);
      for (const tracker of state.owned) tracker.noteHighWatermark(0); // empty until records come
    }
    return data;
  }

  /** Generates the day and what follows it, and publishes the day; resolves with the records published. */
  async publishDay(): Promise<number> {
    const { dayStartMs, users, liveRecords } = this.options;
    const dayEndMs = dayStartMs + 86_400_000;
    let day = -1; // records of the day, once the first after it came
    for (const record of generateRecords({ seed: 13, users, startTimeMs: dayStartMs, disorderMs: 20_000 })) {
      if (day === -1 && record.timestamp >= dayEndMs) day = this.records.length;
      if (day !== -1 && this.records.length - day >= liveRecords) break;
      this.records.push(record);
    }
    if (day === -1) day = this.records.length;
    while (this.next < day) await this.step(Math.min(DAY_CHUNK, day - this.next));
    return day;
  }

  /** Records fed so far. */
  get fed(): number {
    return this.next;
  }

  /** Whether records remain for `step`. */
  get more(): boolean {
    return this.next < this.records.length;
  }

  /**
   * Feeds the next `count` records to their jobs and commits every job (its completion round included);
   * resolves with each job's complete_through afterwards.
   */
  async step(count: number): Promise<Map<JobName, number>> {
    const batch = this.records.slice(this.next, this.next + count);
    this.next += batch.length;
    if (batch.length === 0) return this.completeThrough();
    const nowMs = Math.max(this.clockMs, batch.at(-1)!.timestamp);
    this.clockMs = nowMs;
    const byPartition = new Map<string, SourceRecord[]>();
    for (const record of batch) {
      const key = `${record.topic}|${record.partition}`;
      const list = byPartition.get(key);
      if (list === undefined) byPartition.set(key, [record]);
      else list.push(record);
    }
    for (const records of byPartition.values()) {
      const state = this.states.get(this.jobOfTopic.get(records[0]!.topic)!)!;
      const tracker = state.tracker(records[0]!.topic, records[0]!.partition)!;
      tracker.noteHighWatermark(records.at(-1)!.offset + 1);
      state.process(tracker, records, nowMs);
    }
    await Promise.all(
      [...this.states.values()].map(async (state) => {
        state.applyIdle(nowMs);
        await state.commit();
      }),
    );
    return this.completeThrough();
  }

  async completeThrough(): Promise<Map<JobName, number>> {
    const result = new Map<JobName, number>();
    for (const job of JOBS) result.set(job, (await this.completeness.read(job)).watermarkMs);
    return result;
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
