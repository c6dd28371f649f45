/**
 * Freshness of provisional rows under load: hooked on the provisional feed of the run's `serve`
 * (serving/provisional-feed.ts), it records, for each message applied while measuring, now − the newest
 * record timestamp the message's values include: record timestamp → provisional value answerable by
 * `serve`; and the stages in between (load/freshness-breakdown.ts).
 */
import type { AppliedMessage } from '../serving/provisional-feed.ts';
import {
  freshnessBreakdown,
  quantileOf,
  type FreshnessBreakdown,
  type MessageTimes,
} from './freshness-breakdown.ts';

export interface FreshnessMs {
  messages: number;
  p50: number;
  p99: number;
  breakdown: FreshnessBreakdown | null;
}

export class ProvisionalProbe {
  private readonly delaysMs: number[] = [];
  private readonly times: MessageTimes[] = [];
  /** Per publisher key: the last round's as_of and its gap to the round before. */
  private readonly rounds = new Map<string, { takenMs: number; gapMs: number | null }>();
  measuring = false;

  /** The feed's `onApplied`. */
  readonly onApplied = (newestRecordMs: number, message: AppliedMessage): void => {
    const appliedMs = Date.now();
    const { key, producedMs, receivedMs, asOfMs } = message;
    const takenMs = asOfMs ?? NaN;
    // Parts of one partition's changes share their as_of: the gap is to the round before.
    const previous = this.rounds.get(key);
    const round =
      previous?.takenMs === takenMs
        ? previous
        : { takenMs, gapMs: previous === undefined ? null : takenMs - previous.takenMs };
    this.rounds.set(key, round);
    if (!this.measuring) return;
    this.delaysMs.push(appliedMs - newestRecordMs);
    this.times.push({
      job: key.slice(0, key.indexOf('/')),
      recordMs: newestRecordMs,
      takenMs,
      producedMs,
      receivedMs,
      appliedMs,
      roundGapMs: round.gapMs,
    });
  };

  /** What was measured; null without any message. */
  result(): FreshnessMs | null {
    if (this.delaysMs.length === 0) return null;
    const sorted = [...this.delaysMs].sort((a, b) => a - b);
    return {
      messages: sorted.length,
      p50: quantileOf(sorted, 0.5),
      p99: quantileOf(sorted, 0.99),
      breakdown: freshnessBreakdown(this.times),
    };
  }
}
