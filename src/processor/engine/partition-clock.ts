/**
 * Acceptance and watermark of one partition (semantics.md "Acceptance"), judged record by record:
 * `maxT` moves with every accepted record, so the watermark used for the next record is already the
 * new one. `wm = max(maxT − delay, idle)`; after end of input it is +∞.
 */
import type { RejectReason } from '../../events/record.ts';

/** Ids are forgotten in sweeps, at most once per this much watermark progress (amortised O(1) per id). */
const SWEEP_EVERY_MS = 60_000;

export interface PartitionClockState {
  maxTimeMs: number;
  idleWatermarkMs: number;
  ended: boolean;
  /** event_id → event time of the accepted record, while that time may still be >= the watermark. */
  seen: [string, number][];
}

export class PartitionClock {
  maxTimeMs = -Infinity;
  idleWatermarkMs = -Infinity;
  ended = false;
  private readonly seen = new Map<string, number>();
  private lastSweepMs = -Infinity;

  constructor(
    private readonly delayMs: number,
    private readonly maxFutureMs: number,
  ) {}

  get watermarkMs(): number {
    if (this.ended) return Infinity;
    const byEvents = this.maxTimeMs - this.delayMs;
    return byEvents > this.idleWatermarkMs ? byEvents : this.idleWatermarkMs;
  }

  /** Judges a valid event; on `null` the event is accepted and the clock has moved. */
  judge(eventId: string, eventTimeMs: number, recordTimestampMs: number): RejectReason | null {
    if (eventTimeMs > recordTimestampMs + this.maxFutureMs) return 'future';
    const watermarkMs = this.watermarkMs;
    if (eventTimeMs < watermarkMs) return 'late';
    const seenTimeMs = this.seen.get(eventId);
    if (seenTimeMs !== undefined && seenTimeMs >= watermarkMs) return 'duplicate';
    this.seen.set(eventId, eventTimeMs);
    if (eventTimeMs > this.maxTimeMs) this.maxTimeMs = eventTimeMs;
    return null;
  }

  /** The idle rule: the runtime moves `idle(p)` with the wall clock; it never goes back. */
  advanceIdle(idleWatermarkMs: number): void {
    if (idleWatermarkMs > this.idleWatermarkMs) this.idleWatermarkMs = idleWatermarkMs;
  }

  /** Forgets ids whose time is below the watermark (they can no longer make a duplicate). */
  forgetOldIds(): void {
    const watermarkMs = this.watermarkMs;
    if (watermarkMs < this.lastSweepMs + SWEEP_EVERY_MS) return;
    this.lastSweepMs = watermarkMs;
    for (const [eventId, timeMs] of this.seen) if (timeMs < watermarkMs) this.seen.delete(eventId);
  }

  get rememberedIds(): number {
    return this.seen.size;
  }

  toState(): PartitionClockState {
    return {
      maxTimeMs: this.maxTimeMs,
      idleWatermarkMs: this.idleWatermarkMs,
      ended: this.ended,
      seen: [...this.seen],
    };
  }

  static fromState(state: PartitionClockState, delayMs: number, maxFutureMs: number): PartitionClock {
    const clock = new PartitionClock(delayMs, maxFutureMs);
    clock.maxTimeMs = state.maxTimeMs;
    clock.idleWatermarkMs = state.idleWatermarkMs;
    clock.ended = state.ended;
    for (const [eventId, timeMs] of state.seen) clock.seen.set(eventId, timeMs);
    return clock;
  }
}
