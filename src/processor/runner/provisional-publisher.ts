/**
 * Publishes a job's provisional rows (io/provisional-message.ts): at most every `intervalMs`, the open
 * cells that changed go out as one message per source partition. Taking and encoding them costs time in
 * the job's loop, growing with the cells that changed, so the next round waits until that time is at most
 * SHARE of the loop's: many changed cells (high key counts at high rates) space the rounds out instead of
 * slowing the job; the changes pile up in the stores meanwhile. A job more than MAX_LAG records behind
 * publishes nothing and keeps nothing for it: its windows are history that completes within seconds,
 * and catch-up keeps its whole speed. Never waits inside the job's loop:
 * while a send is in flight the changes stay in the stores and leave with the next one; a send that
 * fails is logged once per outage and its changes are lost to readers until the cells change again or
 * the windows complete (provisional values are a preview; final rows never depend on them).
 */
import type { Logger } from 'pino';
import type { JobEngine } from '../engine/job-engine.ts';
import { encodeProvisional, provisionalMessage } from '../io/provisional-message.ts';
import type { ProvisionalChannel } from './provisional-channel.ts';

export interface ProvisionalPublisherOptions {
  channel: ProvisionalChannel;
  job: string;
  intervalMs: number;
  logger: Logger;
}

/** The part of a job's time provisional publishing may take. */
const SHARE = 0.05;
/** Records behind the broker above which a job is catching up, not following the head. */
export const MAX_LAG = 20_000;

export class ProvisionalPublisher {
  private nextMs = -Infinity;
  private inFlight = false;
  private failing = false;
  /** Messages sent (for tests and the load report). */
  sent = 0;

  constructor(private readonly options: ProvisionalPublisherOptions) {}

  /** Whether the job follows the head closely enough to track and publish (`lag`: records behind). */
  follows(engine: JobEngine, lag: number): boolean {
    if (lag > MAX_LAG) engine.pauseChanges();
    else engine.trackChanges();
    return lag <= MAX_LAG;
  }

  /** Takes and sends the engine's changes when the interval has passed and no send is in flight. */
  maybePublish(engine: JobEngine, nowMs: number, lag: number): void {
    if (!this.follows(engine, lag) || this.inFlight || nowMs < this.nextMs) return;
    const producer = this.options.channel.ready(nowMs);
    if (producer === undefined) return;
    const startedMs = performance.now();
    const changes = engine.drainChanged();
    const messages = changes.map((change) => ({
      key: `${this.options.job}/${change.topic}:${change.partition}`,
      value: encodeProvisional(provisionalMessage(this.options.job, change, nowMs)),
    }));
    const costMs = performance.now() - startedMs;
    this.nextMs = nowMs + Math.max(this.options.intervalMs, (costMs * (1 - SHARE)) / SHARE);
    if (messages.length === 0) return;
    this.inFlight = true;
    producer
      .send({ topic: this.options.channel.topic, messages, acks: 1 })
      .then(() => {
        this.sent += messages.length;
        if (this.failing) this.options.logger.info('provisional rows: publishing again');
        this.failing = false;
      })
      .catch((error: unknown) => {
        if (!this.failing) this.options.logger.warn({ err: error }, 'provisional rows: publish failed');
        this.failing = true;
      })
      .finally(() => (this.inFlight = false));
  }

  /** Resolves when no send is in flight (a stop waits for the last one). */
  async idle(): Promise<void> {
    while (this.inFlight) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
