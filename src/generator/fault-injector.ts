/**
 * Turns the in-order stream of events into records, replacing or adding a chosen fraction of faults:
 * - late: the event re-stamped older than its partition's watermark (latest event time already
 *   emitted there − watermark delay − up to 5 min more), so the processor rejects it as `late`;
 * - duplicate: an earlier record re-sent as is (same value, event_id, key, so the same partition),
 *   usually one of the last few dozen, so it is judged `duplicate` (an old one may be judged `late`);
 * - invalid: a broken value (see invalid-values.ts), some of them not UTF-8 or null (a tombstone);
 * - future: event_time beyond the record timestamp + 5 min (in Kafka runs, beyond the wall clock).
 * A fault that is not possible yet (no earlier record to repeat, no watermark on the partition) is
 * owed and taken at a later record, so realised fractions match the requested ones.
 */
import { MAX_FUTURE_MS, TOPICS, type Topic } from '../events/topics.ts';
import type { GeneratedRecord } from './generated-record.ts';
import { INVALID_KINDS, applicableKind, invalidValue, type InvalidKind } from './invalid-values.ts';
import { eventValue, type LogicalEvent } from './logical-event.ts';
import { FAULT_KINDS, type FaultKind, type GeneratorOptions } from './options.ts';
import { Prng } from './prng.ts';

const RECENT_RECORDS = 4096;
const LATE_SPREAD_MS = 5 * 60_000;
/** Kafka runs: the broker stamps a little after we look at the clock; stay clear of the bound. */
const WALL_CLOCK_MARGIN_MS = 60_000;
const FUTURE_SPREAD_MS = 30 * 60_000;

export class FaultInjector {
  private readonly rng: Prng;
  private readonly thresholds: number[];
  private readonly maxTimeMs: Float64Array;
  private readonly recent: GeneratedRecord[] = [];
  private recentNext = 0;
  private readonly owed: FaultKind[] = [];

  constructor(private readonly options: GeneratorOptions) {
    this.rng = new Prng(options.seed ^ 0xfa17);
    let cumulative = 0;
    this.thresholds = FAULT_KINDS.map((kind) => (cumulative += options.faults[kind]));
    this.maxTimeMs = new Float64Array(TOPICS.length * options.partitions).fill(-Infinity);
  }

  /** False after `next` emitted a duplicate of an earlier record instead of `event`: offer it again. */
  consumed = true;

  /** The record for this slot (offset still -1), made from `event`, ingested at `ingestionMs`. */
  next(event: LogicalEvent, ingestionMs: number): GeneratedRecord {
    this.consumed = true;
    let kind = this.drawKind();
    if (kind === null && this.owed.length > 0) kind = this.owed.shift()!;
    if (kind !== null && !this.possible(kind, event)) {
      this.owed.push(kind);
      kind = null;
    }
    switch (kind) {
      case null:
        return this.normal(event, ingestionMs);
      case 'duplicate':
        this.consumed = false;
        return this.duplicate(ingestionMs);
      case 'late': {
        const lateMs =
          this.partitionMaxMs(event) - this.options.watermarkDelayMs - 1 - this.rng.int(LATE_SPREAD_MS);
        return this.faulted(event, ingestionMs, 'late', eventValue(event, Math.max(0, lateMs)), null);
      }
      case 'future': {
        const clockMs = this.options.wallClockMs
          ? Math.max(ingestionMs, this.options.wallClockMs() + WALL_CLOCK_MARGIN_MS)
          : ingestionMs;
        const futureMs = clockMs + MAX_FUTURE_MS + 1 + this.rng.int(FUTURE_SPREAD_MS);
        return this.faulted(event, ingestionMs, 'future', eventValue(event, futureMs), null);
      }
      case 'invalid': {
        const invalidKind = applicableKind(event, this.rng.pick(INVALID_KINDS));
        return this.faulted(
          event,
          ingestionMs,
          'invalid',
          invalidValue(event, invalidKind, this.rng),
          invalidKind,
        );
      }
    }
  }

  private drawKind(): FaultKind | null {
    const roll = this.rng.next();
    for (let i = 0; i < this.thresholds.length; i++) if (roll < this.thresholds[i]!) return FAULT_KINDS[i]!;
    return null;
  }

  private possible(kind: FaultKind, event: LogicalEvent): boolean {
    if (kind === 'duplicate') return this.recent.length > 0;
    // A late event needs a watermark on its partition, and one at least the watermark delay past 1970.
    if (kind === 'late') return this.partitionMaxMs(event) - this.options.watermarkDelayMs > 0;
    return true;
  }

  private partitionIndex(topic: Topic, partition: number): number {
    return TOPICS.indexOf(topic) * this.options.partitions + partition;
  }

  private partitionMaxMs(event: LogicalEvent): number {
    return this.maxTimeMs[this.partitionIndex(event.topic, event.partition)]!;
  }

  private normal(event: LogicalEvent, ingestionMs: number): GeneratedRecord {
    const index = this.partitionIndex(event.topic, event.partition);
    if (event.eventTimeMs > this.maxTimeMs[index]!) this.maxTimeMs[index] = event.eventTimeMs;
    const record = this.faulted(event, ingestionMs, null, eventValue(event), null);
    if (this.recent.length < RECENT_RECORDS) this.recent.push(record);
    else this.recent[this.recentNext] = record;
    this.recentNext = (this.recentNext + 1) % RECENT_RECORDS;
    return record;
  }

  /** Mostly one of the last 64 records (still inside the watermark), sometimes an older one. */
  private duplicate(ingestionMs: number): GeneratedRecord {
    const count = this.recent.length;
    const back = this.rng.chance(0.85) ? this.rng.int(Math.min(64, count)) : this.rng.int(count);
    const original = this.recent[(this.recentNext - 1 - back + 2 * RECENT_RECORDS) % RECENT_RECORDS]!;
    return { ...original, offset: -1, timestamp: ingestionMs, fault: 'duplicate', invalidKind: null };
  }

  private faulted(
    event: LogicalEvent,
    ingestionMs: number,
    fault: FaultKind | null,
    value: GeneratedRecord['value'],
    invalidKind: InvalidKind | null,
  ): GeneratedRecord {
    const { topic, partition, userId: key, eventType } = event;
    return {
      topic,
      partition,
      offset: -1,
      timestamp: ingestionMs,
      key,
      value,
      eventType,
      fault,
      invalidKind,
    };
  }
}
