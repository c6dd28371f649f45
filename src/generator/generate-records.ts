/**
 * The generator as a library: `generateRecords(options)` yields the records a run writes, in append
 * order, with partition (Kafka's default partitioner), offset per (topic, partition) from 0, and
 * timestamp = simulated ingestion time. A pure function of the options in file mode (no wall clock).
 */
import { TOPICS } from '../events/topics.ts';
import { BruteForceActor, USERS_PER_ATTACKER } from './actors/brute-force-actor.ts';
import { NotificationSource } from './actors/notification-actor.ts';
import { UserActor } from './actors/user-actor.ts';
import { DisorderBuffer, type Ingested } from './disorder-buffer.ts';
import { FaultInjector } from './fault-injector.ts';
import type { GeneratedRecord } from './generated-record.ts';
import { resolveGeneratorOptions, type GeneratorOptions } from './options.ts';
import { Simulation } from './simulation.ts';
import { buildWorld } from './world.ts';

export type { GeneratedRecord } from './generated-record.ts';

function startSimulation(options: GeneratorOptions): Simulation {
  const world = buildWorld(options);
  const sim = new Simulation(options, world);
  for (const user of world.users) {
    const actor = new UserActor(user);
    sim.schedule(actor, actor.warmStart(sim));
  }
  sim.schedule(new NotificationSource(), sim.nowMs);
  const attackers = Math.ceil(world.users.length / USERS_PER_ATTACKER);
  for (let i = 0; i < attackers; i++) sim.schedule(new BruteForceActor(), sim.nowMs + sim.rng.int(120_000));
  return sim;
}

/** Yields ingested events in ingestion order, forever (users keep coming back). */
function* ingestedEvents(options: GeneratorOptions): Generator<Ingested> {
  const sim = startSimulation(options);
  const buffer = new DisorderBuffer(options.disorderMs, options.seed);
  for (;;) {
    const events = sim.advance();
    if (events.length === 0) break;
    for (const event of events) buffer.add(event);
    for (let next = buffer.take(sim.nowMs); next !== undefined; next = buffer.take(sim.nowMs)) yield next;
  }
  for (let next = buffer.take(Infinity); next !== undefined; next = buffer.take(Infinity)) yield next;
}

export function* generateRecords(partial: Partial<GeneratorOptions> = {}): Generator<GeneratedRecord> {
  const options = resolveGeneratorOptions(partial);
  const limit = options.events ?? Infinity;
  const endMs = options.durationMs === undefined ? Infinity : options.startTimeMs + options.durationMs;
  const faults = new FaultInjector(options);
  const offsets = new Float64Array(TOPICS.length * options.partitions);
  const topicIndex = new Map<string, number>(
    TOPICS.map((topic, index) => [topic, index * options.partitions]),
  );
  let emitted = 0;
  for (const { event, ingestionMs } of ingestedEvents(options)) {
    if (ingestionMs >= endMs) return;
    let consumed = false;
    while (!consumed) {
      if (emitted >= limit) return;
      const record = faults.next(event, ingestionMs);
      consumed = faults.consumed;
      record.offset = offsets[topicIndex.get(record.topic)! + record.partition]!++;
      yield record;
      emitted++;
    }
  }
}
