/**
 * One job of the supervisor: its current runner, restarts after a crash, and its health across those
 * restarts. The failure policy (failure-policy.ts): a permanent failure ends the run at once; a transient
 * one restarts with exponential backoff, and while it waits the failed dependency is probed every second,
 * so the job resumes within about a second of it answering again instead of sitting out the backoff.
 * After `maxRestarts` failures in a row without a commit in between, the run ends too.
 */
import type { Logger } from 'pino';
import type { JobHealth } from '../runtime/http-server.ts';
import { classifyFailure, rootMessage, type Dependency, type FailureClass } from './failure-policy.ts';
import type { JobRunner } from './job-runner.ts';
import { RunnerError } from './runner-error.ts';

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** A job that ran this long before crashing restarts with the first backoff again. */
const BACKOFF_RESET_AFTER_MS = 60_000;
const PROBE_INTERVAL_MS = 1000;

/** What a slot needs to apply the failure policy. */
export interface SlotPolicy {
  job: string;
  /** Failures in a row without a commit before the run ends; 0: never. */
  maxRestarts: number;
  /** Where a dependency is, for the one line a failure ends with (never credentials). */
  describe(dependency: Dependency): string;
  /** Resolves true when the dependency answers (a cheap request with short timeouts). */
  probe(dependency: Dependency): Promise<boolean>;
  /** Every failure, classified (metrics). */
  onFailure?(failure: FailureClass): void;
  onRestart?(): void;
  /** The job's lag from the broker (end offsets − the group's committed offsets), while no runner reads. */
  brokerLag?(): Promise<number>;
}

const LAG_REFRESH_MS = 2000;

export class JobSlot {
  runner: JobRunner | undefined;
  restarting = false;
  /** The last commit (or clean tick) of an earlier runner of this slot: the age survives a restart. */
  private carriedProgressMs: number | undefined;
  private backoffMs = BACKOFF_FIRST_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failuresInARow = 0;
  /** Bumped by every start: a probe loop of an earlier wait stops when it changes. */
  private generation = 0;
  /** The broker's lag while restarting (null until it answers). */
  private restartLag: number | null = null;

  constructor(
    private readonly create: () => JobRunner,
    private readonly logger: Logger,
    private readonly failForGood: (error: unknown) => void,
    private readonly policy: SlotPolicy,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    this.generation++;
    clearTimeout(this.restartTimer);
    const startedMs = Date.now();
    const runner = this.create();
    this.runner = runner;
    this.restarting = false;
    runner.onFailed = (error) => this.crashed(error, startedMs);
    try {
      await runner.start();
    } catch (error) {
      runner.status = 'failed';
      await runner.stop().catch(() => undefined);
      this.crashed(error, startedMs);
    }
  }

  private crashed(error: unknown, startedMs: number): void {
    if (this.stopped) return;
    const committed = this.runner?.progressAtMs !== undefined;
    this.carriedProgressMs = this.runner?.progressAtMs ?? this.carriedProgressMs;
    this.failuresInARow = committed ? 1 : this.failuresInARow + 1;
    const failure = classifyFailure(error);
    this.policy.onFailure?.(failure);
    const { job, maxRestarts } = this.policy;
    const where = `${failure.dependency === 'other' ? 'the job' : this.policy.describe(failure.dependency)}`;
    const cause = `${failure.code}: ${rootMessage(error)}`;
    if (error instanceof RunnerError && !error.retryable) return this.failForGood(error);
    if (failure.permanent)
      return this.failForGood(
        new RunnerError('dependency_refused', `${job}: ${where} refused: ${cause}`, { cause: error }),
      );
    if (maxRestarts > 0 && this.failuresInARow > maxRestarts) {
      const message = `${job}: failed ${this.failuresInARow} times in a row without a commit (MAX_RESTARTS ${maxRestarts}); last: ${where}: ${cause}`;
      return this.failForGood(new RunnerError('restart_limit', message, { cause: error }));
    }
    if (Date.now() - startedMs >= BACKOFF_RESET_AFTER_MS) this.backoffMs = BACKOFF_FIRST_MS;
    this.logger.warn(
      {
        code: failure.code,
        dependency: failure.dependency,
        restartInMs: this.backoffMs,
        failuresInARow: this.failuresInARow,
      },
      'job crashed; restarting',
    );
    this.restarting = true;
    this.restartTimer = setTimeout(() => void this.restart(), this.backoffMs);
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    if (failure.dependency !== 'other') void this.probeUntilBack(failure.dependency, this.generation);
    void this.followLag(this.generation);
  }

  /** Keeps `restartLag` fresh while the job waits to restart: lag stays a number, not a blind spot. */
  private async followLag(generation: number): Promise<void> {
    this.restartLag = null;
    const lagOf = this.policy.brokerLag;
    if (lagOf === undefined) return;
    while (!this.stopped && this.restarting && this.generation === generation) {
      const lag = await lagOf().catch(() => null);
      if (this.generation === generation) this.restartLag = lag;
      await new Promise((resolve) => setTimeout(resolve, LAG_REFRESH_MS).unref());
    }
  }

  private async restart(): Promise<void> {
    this.policy.onRestart?.();
    await this.start();
  }

  /** Restarts as soon as the dependency answers, before the backoff ends. */
  private async probeUntilBack(dependency: Dependency, generation: number): Promise<void> {
    const current = (): boolean => !this.stopped && this.restarting && this.generation === generation;
    while (current()) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS).unref());
      if (!current()) return;
      const answered = await this.policy.probe(dependency).catch(() => false);
      if (answered && current()) {
        this.logger.info({ dependency }, `${this.policy.describe(dependency)} answers again; restarting now`);
        await this.restart();
        return;
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.runner?.stop();
  }

  /**
   * The runner's health, honest across restarts: the commit age counts from the last commit of any runner
   * of this slot (a restart commits nothing), and while no runner reads, the lag is the broker's (end
   * offsets − the group's committed offsets), or unknown (null) until the broker answers.
   */
  health(nowMs: number): JobHealth {
    const runner = this.runner;
    const progressMs = runner?.progressAtMs ?? this.carriedProgressMs;
    const lastCommitAgeSeconds = progressMs === undefined ? null : Math.round((nowMs - progressMs) / 1000);
    if (runner === undefined) return { state: 'starting', lastCommitAgeSeconds, lag: null };
    const health = { ...runner.health(nowMs), lastCommitAgeSeconds };
    return this.restarting
      ? { ...health, state: 'restarting', lag: this.restartLag, caughtUp: false }
      : health;
  }
}
