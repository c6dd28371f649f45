/**
 * Acceptance and watermark of one partition (docs/contract/semantics.md "Acceptance"), judged record by record:
 * `maxT` moves with every accepted record, so the watermark used for the next record is already the
 * new one. `wm = max(maxT − delay, idle)`; after end of input it is +∞. The clock remembers accepted
 * ids while they can still make a duplicate, and forgets older ones.
 */
import type { RejectReason } from '../../events/record.ts';

/** Ids are forgotten in sweeps, at most once per this much watermark progress (amortised O(1) per id). */
const SWEEP_EVERY_MS = 60_000;

export interface PartitionClockState {
  maxTimeMs: number;
  idleWatermarkMs: number;
  ended: boolean;
  /**
   * event_id → event time of the accepted record, while that time may still be >= the watermark (a Map
   * or entry list; an incremental snapshot holds only the ids accepted since the previous one).
   */
  seen: Iterable<readonly [string, number]>;
}

export class PartitionClock {
  /** The newest record timestamp judged since this clock was made (how fresh provisional values are). */
  newestRecordMs = -Infinity;
  private maxAcceptedMs = -Infinity;
  private idleMs = -Infinity;
  private endOfInput = false;
  private readonly seen = new Map<string, number>();
  private lastSweepMs = -Infinity;

  constructor(
    private readonly delayMs: number,
    private readonly maxFutureMs: number,
  ) {}

  /** `maxT(p)`: the largest event time accepted (−∞ before the first). */
  get maxTimeMs(): number {
    return this.maxAcceptedMs;
  }

  /** `idle(p)` (−∞ unless the idle rule moved it). */
  get idleWatermarkMs(): number {
    return this.idleMs;
  }

  get ended(): boolean {
    return this.endOfInput;
  }

  get watermarkMs(): number {
    if (this.endOfInput) return Infinity;
    const byEvents = this.maxAcceptedMs - this.delayMs;
    return byEvents > this.idleMs ? byEvents : this.idleMs;
  }

  /** Judges a valid event; on `null` the event is accepted and the clock has moved. */
  judge(eventId: string, eventTimeMs: number, recordTimestampMs: number): RejectReason | null {
    if (recordTimestampMs > this.newestRecordMs) this.newestRecordMs = recordTimestampMs;
    if (eventTimeMs > recordTimestampMs + this.maxFutureMs) return 'future';
    const watermarkMs = this.watermarkMs;
    if (eventTimeMs < watermarkMs) return 'late';
    const seenTimeMs = this.seen.get(eventId);
    if (seenTimeMs !== undefined && seenTimeMs >= watermarkMs) return 'duplicate';
    this.seen.set(eventId, eventTimeMs);
    if (eventTimeMs > this.maxAcceptedMs) this.maxAcceptedMs = eventTimeMs;
    return null;
  }

  /** The idle rule: the runtime moves `idle(p)` with the wall clock; it never goes back. */
  advanceIdle(idleWatermarkMs: number): void {
    if (idleWatermarkMs > this.idleMs) this.idleMs = idleWatermarkMs;
  }

  /** End of input (replay, oracle comparison): the watermark becomes +∞. */
  endInput(): void {
    this.endOfInput = true;
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

  /** The state sharing the live id memory, valid until the next record. `toState` is the deep copy. */
  liveState(): PartitionClockState & { seen: ReadonlyMap<string, number> } {
    return {
      maxTimeMs: this.maxAcceptedMs,
      idleWatermarkMs: this.idleMs,
      ended: this.endOfInput,
      seen: this.seen,
    };
  }

  toState(): PartitionClockState {
    return { ...this.liveState(), seen: new Map(this.seen) };
  }

  static fromState(state: PartitionClockState, delayMs: number, maxFutureMs: number): PartitionClock {
    const clock = new PartitionClock(delayMs, maxFutureMs);
    clock.maxAcceptedMs = state.maxTimeMs;
    clock.idleMs = state.idleWatermarkMs;
    clock.endOfInput = state.ended;
    const watermarkMs = clock.watermarkMs; // older ids can make no duplicate: not restored
    for (const [eventId, timeMs] of state.seen) if (timeMs >= watermarkMs) clock.seen.set(eventId, timeMs);
    return clock;
  }
}
