/**
 * One job of the supervisor: its current runner, restarts with backoff after a crash (a permanent
 * RunnerError fails the whole run instead), and its health across those restarts.
 */
import type { Logger } from 'pino';
import { errorCode } from '../../shared/app-error.ts';
import type { JobHealth } from '../runtime/http-server.ts';
import type { JobRunner } from './job-runner.ts';
import { RunnerError } from './runner-error.ts';

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** A job that ran this long before crashing restarts with the first backoff again. */
const BACKOFF_RESET_AFTER_MS = 60_000;

export class JobSlot {
  runner: JobRunner | undefined;
  restarting = false;
  /** The last commit (or clean tick) of an earlier runner of this slot: the age survives a restart. */
  private carriedProgressMs: number | undefined;
  private backoffMs = BACKOFF_FIRST_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly create: () => JobRunner,
    private readonly logger: Logger,
    private readonly failForGood: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
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
    this.carriedProgressMs = this.runner?.progressAtMs ?? this.carriedProgressMs;
    if (error instanceof RunnerError && !error.retryable) {
      this.failForGood(error);
      return;
    }
    if (Date.now() - startedMs >= BACKOFF_RESET_AFTER_MS) this.backoffMs = BACKOFF_FIRST_MS;
    this.logger.warn({ code: errorCode(error), restartInMs: this.backoffMs }, 'job crashed; restarting');
    this.restarting = true;
    this.restartTimer = setTimeout(() => void this.start(), this.backoffMs);
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.runner?.stop();
  }

  /**
   * The runner's health, honest across restarts: the commit age counts from the last commit of any runner
   * of this slot (a restart commits nothing), and the lag is unknown (null) while no runner reads.
   */
  health(nowMs: number): JobHealth {
    const runner = this.runner;
    const progressMs = runner?.progressAtMs ?? this.carriedProgressMs;
    const lastCommitAgeSeconds = progressMs === undefined ? null : Math.round((nowMs - progressMs) / 1000);
    if (runner === undefined) return { state: 'starting', lastCommitAgeSeconds, lag: null };
    const health = { ...runner.health(nowMs), lastCommitAgeSeconds };
    return this.restarting ? { ...health, state: 'restarting', lag: null } : health;
  }
}
