/**
 * When a job commits, and what follows each outcome (docs/runner.md "The micro-batch loop"):
 * - after a micro-batch and on a tick, once something changed and the interval has passed since the
 *   latest commit started: commit_interval, or longer when more instances share the job's commit log
 *   than its rate allows (each conditional put races all of them; past a few commits per second on one
 *   log, conflicts and retries grew faster than the instances: BENCHMARKS.md §6);
 * - at once, and waiting until it is durable, on stop and when a rebalance starts;
 * - the outcome of the commit in flight is taken before the next one starts, on the first tick after it is
 *   done, and before any change of ownership;
 * - micro-batches and ticks do not wait for a commit in flight: the next one starts once it is done. Waiting
 *   held the whole consumer (and with it every record behind) for the rest of a slow commit, which made
 *   the head seconds late whenever commits and completion rounds took longer than commit_interval. A
 *   commit in flight longer than OVERLAP_MS is waited for after all, so what piles up for the next one
 *   stays bounded.
 * A durable commit is logged (one line per checkpoint) and followed by `afterCommit`; a fenced one by
 * `afterFence` (throw the uncommitted work away, re-adopt, seek); a failed one throws: the job fails and
 * restarts from its commits.
 */
import type { Logger } from 'pino';
import type { JobState } from './job-state.ts';

/** What the schedule needs of the job (job-state.ts). */
export type CommittingJob = Pick<
  JobState,
  | 'dirty'
  | 'lag'
  | 'activeWriters'
  | 'committing'
  | 'commitDone'
  | 'commitStartedAtMs'
  | 'lastCommitAtMs'
  | 'settle'
  | 'startCommit'
>;

export interface CommitHooks {
  /** A commit is durable: e.g. commit the consumer-group offsets (lag tools). */
  afterCommit(): Promise<void>;
  /** A commit was fenced: recover the owned partitions from the log and seek them. */
  afterFence(): Promise<void>;
}

export interface CommitScheduleOptions {
  commitIntervalMs: number;
  /**
   * Commits per second all instances of the job aim for together on their one log (0 or unset: no
   * limit): with k instances each commits every max(commitIntervalMs, k / rate s).
   */
  logRatePerS?: number;
  logger: Logger;
  nowMs?: () => number;
}

/** How long micro-batches run on beside one commit before they wait for it. */
export const OVERLAP_MS = 10_000;

export class CommitSchedule {
  /** Last tick that found the job caught up with nothing to commit (health). */
  private lastCleanAtMs: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly job: CommittingJob,
    private readonly hooks: CommitHooks,
    private readonly options: CommitScheduleOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.lastCleanAtMs = this.nowMs();
  }

  /** Something changed and the interval has passed since the latest commit started. */
  get due(): boolean {
    return this.job.dirty && this.nowMs() - this.job.commitStartedAtMs >= this.intervalMs;
  }

  /** commit_interval, stretched so that the job's instances together commit at most `logRatePerS`. */
  get intervalMs(): number {
    const { commitIntervalMs, logRatePerS = 0 } = this.options;
    if (logRatePerS <= 0) return commitIntervalMs;
    return Math.max(commitIntervalMs, (this.job.activeWriters * 1000) / logRatePerS);
  }

  /** The last commit, or the last tick that found nothing to commit while caught up (/healthz age). */
  get lastProgressAtMs(): number {
    return Math.max(this.job.lastCommitAtMs, this.lastCleanAtMs);
  }

  /** Due, and the commit in flight (if any) is done or has run for OVERLAP_MS: commit now. */
  private get mayCommit(): boolean {
    if (!this.due) return false;
    const { committing, commitDone, commitStartedAtMs } = this.job;
    return !committing || commitDone || this.nowMs() - commitStartedAtMs >= OVERLAP_MS;
  }

  /** After a micro-batch: commit when due. */
  async afterBatch(): Promise<void> {
    if (this.mayCommit) await this.commit();
  }

  /** On the timer: commit when due; else take the outcome of a finished commit; else note a clean job. */
  async onTick(nowMs: number): Promise<void> {
    if (this.mayCommit) await this.commit();
    else if (this.job.commitDone) await this.settle();
    else if (!this.job.dirty && !this.job.committing && this.job.lag === 0) this.lastCleanAtMs = nowMs;
  }

  /**
   * Settles the commit in flight, then starts one if anything changed; its storage I/O overlaps the next
   * micro-batches (`wait`: until it is durable, for stop and rebalance).
   */
  async commit(wait = false): Promise<void> {
    if (!(await this.settle())) return;
    if (!this.job.dirty) return;
    await this.job.startCommit();
    if (wait) await this.settle();
  }

  /**
   * Takes the outcome of the commit in flight (if any). A fenced commit throws the uncommitted work away
   * and re-adopts: returns false then.
   */
  async settle(): Promise<boolean> {
    const outcome = await this.job.settle();
    if (outcome === undefined) return true;
    const { logger } = this.options;
    if (outcome.kind === 'fenced') {
      logger.warn({ code: 'fenced' }, outcome.message);
      await this.hooks.afterFence();
      return false;
    }
    const { result, rows, prepareMs } = outcome;
    logger.info(
      {
        commit: result.commit,
        files: result.published.length,
        rows,
        checkpointBytes: result.checkpointBytes,
        prepareMs: Math.round(prepareMs),
        durationMs: Math.round(result.durationMs),
        attempts: result.attempts,
        conflicts: result.conflicts,
        restagedBytes: result.restagedBytes,
        intervalMs: Math.round(this.intervalMs),
      },
      'checkpoint',
    );
    await this.hooks.afterCommit();
    return true;
  }
}
