/**
 * What the runner knows about one partition it owns: the next offset to process, the offset of the last
 * commit, the broker's high-water mark as last seen, when a record last arrived, and the idle rule of
 * docs/contract/semantics.md: idle only when everything the broker has was read and nothing arrived for idle_timeout.
 */
import type { IdleAdvance } from '../io/partition-state-blob.ts';

/**
 * idle(p) moves in steps of at least this: each step is a commit (a checkpoint and its S3 requests), so an
 * idle job commits every 10 s instead of every second; what the idle rule makes final waits up to as long.
 */
export const IDLE_STEP_MS = 10_000;

export class PartitionTracker {
  /** High-water mark (next offset the broker will assign) as last seen; -1 before the first look. */
  highWatermark = -1;
  /** Something (records or an idle advance) changed the partition's state since the last commit. */
  dirty = false;
  idle: IdleAdvance | null;
  /** Offset of the newest idle advance that a durable commit holds (-1: none yet). */
  committedIdleOffset = -1;
  /** Broker timestamp of the last record processed (NaN: none since the partition was adopted). */
  recordTimestampMs = Number.NaN;

  constructor(
    /** Contract topic name (no prefix). */
    readonly topic: string,
    readonly partition: number,
    /** Next offset to process; the checkpoint's, or the log start for a partition never committed. */
    public nextOffset: number,
    /** When the partition was adopted: the idle clock starts then. */
    public lastArrivalMs: number,
    idle: IdleAdvance | null,
  ) {
    this.idle = idle;
  }

  get lag(): number {
    return this.highWatermark < 0 ? 0 : Math.max(0, this.highWatermark - this.nextOffset);
  }

  noteHighWatermark(highWatermark: number): void {
    if (highWatermark > this.highWatermark) this.highWatermark = highWatermark;
  }

  /** Records up to `lastOffset` (broker timestamp `timestampMs`) were processed; they arrived at `nowMs`. */
  advanced(lastOffset: number, nowMs: number, timestampMs = Number.NaN): void {
    this.nextOffset = lastOffset + 1;
    this.lastArrivalMs = nowMs;
    this.recordTimestampMs = timestampMs;
    this.dirty = true;
  }

  /**
   * How far behind the head the partition is in time: 0 at the head, the age of the last record processed
   * while records wait, Infinity while records wait and none was processed since the adoption.
   */
  behindMs(nowMs: number): number {
    if (this.lag === 0) return 0;
    return Number.isNaN(this.recordTimestampMs) ? Infinity : Math.max(0, nowMs - this.recordTimestampMs);
  }

  /**
   * The idle watermark to apply now, or undefined when the partition is not idle (behind the broker,
   * a record arrived within idle_timeout, the high-water mark is unknown) or the advance is too small.
   */
  idleWatermarkDue(nowMs: number, idleTimeoutMs: number, watermarkDelayMs: number): number | undefined {
    if (this.highWatermark < 0 || this.nextOffset < this.highWatermark) return undefined;
    if (nowMs - this.lastArrivalMs < idleTimeoutMs) return undefined;
    const watermarkMs = nowMs - watermarkDelayMs;
    if (this.idle !== null && watermarkMs < this.idle.watermarkMs + IDLE_STEP_MS) return undefined;
    return watermarkMs;
  }

  /** Records the advance as part of the batch plan: applied at the current next offset. */
  recordIdle(watermarkMs: number, nowMs: number): IdleAdvance {
    this.idle = { watermarkMs, atOffset: this.nextOffset, decidedAtMs: nowMs };
    this.dirty = true;
    return this.idle;
  }

  get isIdle(): boolean {
    return this.idle !== null && this.idle.atOffset === this.nextOffset;
  }

  /**
   * Idle at the next offset, and a durable commit holds an idle advance there: every window the idle
   * watermark closed is published (later advances only move the watermark on with the wall clock).
   */
  get idleCommitted(): boolean {
    return this.isIdle && this.committedIdleOffset === this.nextOffset;
  }
}
