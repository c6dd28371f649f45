/**
 * Acceptance and watermark of one partition (semantics.md "Acceptance"), judged record by record:
 * `maxT` moves with every accepted record, so the watermark used for the next record is already the
 * new one. `wm = max(maxT − delay, idle)`; after end of input it is +∞.
 */
import type { RejectReason } from '../../events/record.ts';

/** Ids are forgotten in sweeps, at most once per this much watermark progress (amortised O(1) per id). */
const SWEEP_EVERY_MS = 60_000;
/** The journal of new ids restarts (and a delta is impossible) when it outgrows the memory by this much. */
const JOURNAL_SLACK = 1024;

/** Where the id journal stood when a snapshot was encoded (see `PartitionClock.journalMark`). */
export interface JournalMark {
  epoch: number;
  length: number;
  /** The snapshot held every remembered id (not only the journal). */
  full: boolean;
}

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
  maxTimeMs = -Infinity;
  idleWatermarkMs = -Infinity;
  ended = false;
  private readonly seen = new Map<string, number>();
  private lastSweepMs = -Infinity;
  /**
   * Ids accepted since the last committed snapshot, for incremental snapshots. Capped: when it outgrows
   * the memory it restarts empty in a new epoch and only a full snapshot is possible until one commits.
   */
  private journal: string[] = [];
  private journalEpoch = 0;
  private journalComplete = true;

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
    if (this.journal.push(eventId) > this.seen.size + JOURNAL_SLACK) {
      this.journal = [];
      this.journalEpoch++;
      this.journalComplete = false;
    }
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

  /** True when the journal holds every id accepted since the last committed snapshot. */
  get canSnapshotIncrementally(): boolean {
    return this.journalComplete;
  }

  journalMark(full: boolean): JournalMark {
    return { epoch: this.journalEpoch, length: this.journal.length, full };
  }

  /** The snapshot taken at `mark` is committed: later deltas start after it. */
  committed(mark: JournalMark): void {
    if (mark.epoch !== this.journalEpoch) return; // the journal restarted since: still incomplete
    this.journal.splice(0, mark.length);
    if (mark.full) this.journalComplete = true;
  }

  /**
   * The state sharing the live id memory (`onlyJournal`: the journaled ids with their current times);
   * valid until the next record. `toState` is the deep copy.
   */
  liveState(onlyJournal: boolean): PartitionClockState {
    let seen: Map<string, number> = this.seen;
    if (onlyJournal) {
      seen = new Map();
      for (const eventId of this.journal) {
        const timeMs = this.seen.get(eventId);
        if (timeMs !== undefined) seen.set(eventId, timeMs); // gone: swept below the watermark, harmless
      }
    }
    return { maxTimeMs: this.maxTimeMs, idleWatermarkMs: this.idleWatermarkMs, ended: this.ended, seen };
  }

  toState(): PartitionClockState {
    return { ...this.liveState(false), seen: new Map(this.seen) };
  }

  static fromState(state: PartitionClockState, delayMs: number, maxFutureMs: number): PartitionClock {
    const clock = new PartitionClock(delayMs, maxFutureMs);
    clock.maxTimeMs = state.maxTimeMs;
    clock.idleWatermarkMs = state.idleWatermarkMs;
    clock.ended = state.ended;
    const watermarkMs = clock.watermarkMs; // older ids can make no duplicate: not restored
    for (const [eventId, timeMs] of state.seen) if (timeMs >= watermarkMs) clock.seen.set(eventId, timeMs);
    return clock;
  }
}
