/**
 * The discrete-event core: a simulated clock and an agenda of actors (users, graders, notifications,
 * attackers). Each actor wakes at its time, emits events stamped with the current simulated time, and
 * says when to wake it next. Events therefore come out in event-time order.
 */
import type { EventType, Topic } from '../events/topics.ts';
import { ClockQueue } from './clock-queue.ts';
import type { LogicalEvent } from './logical-event.ts';
import type { GeneratorOptions } from './options.ts';
import { Prng } from './prng.ts';
import type { World } from './world.ts';

/** What `Actor.step` returns when the actor has nothing more to do. */
export const DONE = -1;

export interface Actor {
  /** Acts at `sim.nowMs`; returns the next wake-up time (≥ now) or DONE. */
  step(sim: Simulation): number;
}

export class Simulation {
  nowMs: number;
  readonly rng: Prng;
  private readonly queue = new ClockQueue<Actor>();
  private readonly enabledTopics: ReadonlySet<Topic>;
  private readonly idTag: string;
  private idCounter = 0;
  private emitted: LogicalEvent[] = [];

  constructor(
    readonly options: GeneratorOptions,
    readonly world: World,
  ) {
    this.nowMs = options.startTimeMs;
    this.rng = new Prng(options.seed ^ 0x5eed);
    this.enabledTopics = new Set(options.topics);
    // Ids carry the seed, so runs with different seeds never share an event_id.
    this.idTag = Math.abs(options.seed).toString(36) + (options.seed < 0 ? 'n' : '');
  }

  /** A fresh id such as `e1-2s` (the letter says what it names). */
  newId(letter: string): string {
    return `${letter}${this.idTag}-${(this.idCounter++).toString(36)}`;
  }

  emit(topic: Topic, eventType: EventType, userId: string, partition: number, body: string): void {
    if (!this.enabledTopics.has(topic)) return;
    this.emitted.push({
      topic,
      eventType,
      userId,
      partition,
      eventTimeMs: this.nowMs,
      eventId: this.newId('e'),
      body,
    });
  }

  schedule(actor: Actor, atMs: number): void {
    this.queue.push(actor, Math.max(atMs, this.nowMs));
  }

  /**
   * Runs actors until some event is emitted and returns those events, all at one simulated time
   * (the array is reused: read it before the next call). Empty only when no actor is left.
   */
  advance(): readonly LogicalEvent[] {
    this.emitted.length = 0;
    while (this.emitted.length === 0 && this.queue.size > 0) {
      this.nowMs = this.queue.peekTimeMs();
      const actor = this.queue.pop()!;
      const nextMs = actor.step(this);
      if (nextMs !== DONE) this.queue.push(actor, Math.max(nextMs, this.nowMs));
    }
    return this.emitted;
  }
}
