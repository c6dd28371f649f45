/**
 * Publishes a job's provisional rows (io/provisional-message.ts): at most every `intervalMs`, the open
 * cells that changed go out as one message per source partition. Taking and encoding them costs time in
 * the job's loop, growing with the cells that changed, so the next round waits until that time is at most
 * SHARE of the loop's: many changed cells (high key counts at high rates) space the rounds out instead of
 * slowing the job; the changes pile up in the stores meanwhile. A job catching up (more than MAX_LAG
 * records and MAX_BEHIND_MS behind the head) publishes nothing and keeps nothing for it: its windows are
 * history that completes within seconds, and catch-up keeps its whole speed. Records alone would also
 * stop a job at the head of a fast input whenever one fetch brings more than MAX_LAG; time alone would
 * stop one whose producers stamp old times. Never waits inside the job's loop:
 * while a send is in flight the changes stay in the stores and leave with the next one; a send that
 * fails is logged once per outage and its changes are lost to readers until the cells change again or
 * the windows complete (provisional values are a preview; final rows never depend on them).
 */
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { JobEngine } from '../engine/job-engine.ts';
import { encodeChanges } from '../io/provisional-message.ts';
import type { ProvisionalChannel } from './provisional-channel.ts';

export interface ProvisionalPublisherOptions {
  channel: ProvisionalChannel;
  job: string;
  intervalMs: number;
  logger: Logger;
}

/** The part of a job's time provisional publishing may take, while that spaces rounds up to MAX_SPACING_MS. */
const SHARE = 0.05;
/** The trigger's bound (docs/serving.md): an open cell's value is at most this much older than its records. */
export const MAX_SPACING_MS = 1_000;
/** A job further than both of these from the head is catching up, not following it. */
export const MAX_LAG = 20_000;
export const MAX_BEHIND_MS = 10_000;

/** How far a job is from the head: records behind the broker, and the age of the oldest partition's last record. */
export interface HeadDistance {
  records: number;
  behindMs: number;
}

export function catchingUp(head: HeadDistance): boolean {
  return head.records > MAX_LAG && head.behindMs > MAX_BEHIND_MS;
}
/** Under the broker's default message size (1 MB) for one message, and for one send (one record batch). */
const MESSAGE_BYTES = 256 * 1024;
const SEND_BYTES = 768 * 1024;

/**
 * What a round cost the job: its wall time, but no more than the CPU the process used meanwhile when that
 * was sampled. On a busy machine the OS takes the core away in the middle of a round, and the wall time
 * alone would space the next rounds out for time the job did not spend on them (the process's CPU also
 * counts its other threads, so the smaller of the two).
 */
function roundCostMs(startedMs: number, startedCpu: NodeJS.CpuUsage | undefined): number {
  const wallMs = performance.now() - startedMs;
  if (startedCpu === undefined) return wallMs;
  const { user, system } = process.cpuUsage(startedCpu);
  return Math.min(wallMs, (user + system) / 1000);
}

/**
 * How long after a round that cost `costMs` the next one may start: the interval, or longer so that rounds
 * take at most SHARE of the loop, but never past MAX_SPACING_MS. Past it the rounds take what they cost:
 * a round holds the changes of one spacing, so a costly round spaced out further would only be costlier.
 */
export function roundSpacingMs(costMs: number, intervalMs: number): number {
  const shareMs = (costMs * (1 - SHARE)) / SHARE;
  return Math.max(intervalMs, Math.min(shareMs, MAX_SPACING_MS));
}

export class ProvisionalPublisher {
  private nextMs = -Infinity;
  private inFlight = false;
  private failing = false;
  /**
   * Whether the next round samples the process's CPU: only after a round that spaced the next one out.
   * A sample costs a system call summing every thread (0.1 ms and more on a busy machine), and cheap
   * rounds, the rule, are spaced by the interval whatever they cost.
   */
  private sampleCpu = false;
  /** Messages sent (for tests and the load report). */
  sent = 0;

  constructor(private readonly options: ProvisionalPublisherOptions) {}

  /** Whether the job follows the head closely enough to track and publish. */
  follows(engine: JobEngine, head: HeadDistance): boolean {
    const following = !catchingUp(head);
    if (following) engine.trackChanges();
    else engine.pauseChanges();
    return following;
  }

  /** Takes and sends the engine's changes when the interval has passed and no send is in flight. */
  maybePublish(engine: JobEngine, nowMs: number, head: HeadDistance): void {
    if (!this.follows(engine, head) || this.inFlight || nowMs < this.nextMs) return;
    const producer = this.options.channel.ready(nowMs);
    if (producer === undefined) return;
    const startedMs = performance.now();
    const startedCpu = this.sampleCpu ? process.cpuUsage() : undefined;
    const changes = engine.drainChanged();
    const messages = changes.flatMap((change) => {
      const key = `${this.options.job}/${change.topic}:${change.partition}`;
      const parts = encodeChanges(this.options.job, change, nowMs, MESSAGE_BYTES);
      return parts.map((value) => ({ key, value }));
    });
    const spacingMs = roundSpacingMs(roundCostMs(startedMs, startedCpu), this.options.intervalMs);
    this.sampleCpu = spacingMs > this.options.intervalMs;
    this.nextMs = nowMs + spacingMs;
    if (messages.length === 0) return;
    this.inFlight = true;
    this.sendInBatches(producer, messages)
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

  /** One send per SEND_BYTES of messages, in order (a partition's parts stay in order). */
  private async sendInBatches(producer: Producer, messages: { key: string; value: Buffer }[]): Promise<void> {
    let batch: typeof messages = [];
    let bytes = 0;
    const topic = this.options.channel.topic;
    for (const message of messages) {
      if (batch.length > 0 && bytes + message.value.length > SEND_BYTES) {
        await producer.send({ topic, messages: batch, acks: 1 });
        batch = [];
        bytes = 0;
      }
      batch.push(message);
      bytes += message.value.length;
    }
    if (batch.length > 0) await producer.send({ topic, messages: batch, acks: 1 });
  }

  /** Resolves when no send is in flight (a stop waits for the last one). */
  async idle(): Promise<void> {
    while (this.inFlight) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
