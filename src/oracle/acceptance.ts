/**
 * The acceptance rules of docs/contract/semantics.md, applied plainly: one sequential scan per (topic, partition) in
 * offset order, record by record, in the rule order invalid → future → late → duplicate → accepted.
 * The idle rule is off (the oracle has no processing time), so `wm(p) = maxT(p) − D`.
 */
import { isTopic, MAX_FUTURE_MS } from '../events/topics.ts';
import type { RejectReason, SourceRecord } from '../events/record.ts';
import type { LmsEvent } from '../events/types.ts';
import { validateValue } from '../events/validate.ts';

export type Verdict = { accepted: true; event: LmsEvent } | { accepted: false; reason: RejectReason };

/** What the scan remembers about one (topic, partition). */
interface PartitionState {
  /** Largest event_time accepted so far; −∞ before the first accepted record. */
  maxEventTimeMs: number;
  /** Offset of the last record judged, to refuse an input that is not in offset order. */
  lastOffset: number;
  /** event_id → the largest event_time accepted with it (rule 4 only needs the largest). */
  acceptedTimeByEventId: Map<string, number>;
}

export class AcceptanceScan {
  private readonly partitions = new Map<string, PartitionState>();

  constructor(private readonly watermarkDelayMs: number) {
    if (!Number.isSafeInteger(watermarkDelayMs) || watermarkDelayMs < 0) {
      throw new Error(`AcceptanceScan: watermarkDelayMs must be an integer >= 0, got ${watermarkDelayMs}`);
    }
  }

  /** Judges the next record of its partition; records of one partition must come in offset order. */
  judge(record: SourceRecord): Verdict {
    const state = this.stateOf(record);
    if (record.offset <= state.lastOffset) {
      throw new Error(
        `records of ${record.topic}/${record.partition} are not in offset order: ` +
          `${record.offset} after ${state.lastOffset}`,
      );
    }
    state.lastOffset = record.offset;

    if (!isTopic(record.topic)) return { accepted: false, reason: 'invalid' };
    const validation = validateValue(record.topic, record.key, record.value);
    if (!validation.ok) return { accepted: false, reason: 'invalid' };
    const event = validation.event;
    const eventTimeMs = event.event_time;

    if (eventTimeMs > record.timestamp + MAX_FUTURE_MS) return { accepted: false, reason: 'future' };

    const watermarkMs = state.maxEventTimeMs - this.watermarkDelayMs; // −∞ before the first accepted
    if (eventTimeMs < watermarkMs) return { accepted: false, reason: 'late' };

    const earlierTimeMs = state.acceptedTimeByEventId.get(event.event_id);
    if (earlierTimeMs !== undefined && earlierTimeMs >= watermarkMs) {
      return { accepted: false, reason: 'duplicate' };
    }

    state.maxEventTimeMs = Math.max(state.maxEventTimeMs, eventTimeMs);
    state.acceptedTimeByEventId.set(event.event_id, Math.max(earlierTimeMs ?? -Infinity, eventTimeMs));
    return { accepted: true, event };
  }

  private stateOf(record: SourceRecord): PartitionState {
    const id = `${record.topic}\u0000${record.partition}`;
    let state = this.partitions.get(id);
    if (state === undefined) {
      state = { maxEventTimeMs: -Infinity, lastOffset: -1, acceptedTimeByEventId: new Map() };
      this.partitions.set(id, state);
    }
    return state;
  }
}
