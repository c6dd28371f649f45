/**
 * Out-of-order arrival: each event is ingested at event_time + a delay drawn from [0, disorderMs], and
 * records leave in ingestion order. Since events enter in event-time order, an event can leave as soon
 * as its ingestion time is not after the newest event time seen. Hence, in record order, an event's time
 * is never more than disorderMs older than any earlier event's (t_b ≥ i_a − disorderMs ≥ t_a − disorderMs).
 */
import { ClockQueue } from './clock-queue.ts';
import type { LogicalEvent } from './logical-event.ts';
import { Prng } from './prng.ts';

export interface Ingested {
  event: LogicalEvent;
  ingestionMs: number;
}

export class DisorderBuffer {
  private readonly rng: Prng;
  private readonly queue = new ClockQueue<Ingested>();

  constructor(
    private readonly disorderMs: number,
    seed: number,
  ) {
    this.rng = new Prng(seed ^ 0xd150);
  }

  add(event: LogicalEvent): void {
    const delayMs = this.disorderMs === 0 ? 0 : this.rng.int(this.disorderMs + 1);
    const ingestionMs = event.eventTimeMs + delayMs;
    this.queue.push({ event, ingestionMs }, ingestionMs);
  }

  /** The next event whose ingestion time is ≤ `upToMs` (pass Infinity to drain), in ingestion order. */
  take(upToMs: number): Ingested | undefined {
    return this.queue.peekTimeMs() <= upToMs ? this.queue.pop() : undefined;
  }
}
