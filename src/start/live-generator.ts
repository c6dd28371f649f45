/**
 * The generator as `npm start` runs it: live into Kafka (simulated time follows the wall clock), at a
 * set rate, until stopped. runGenerator has no stop switch, so the sink says no once stop() is asked:
 * runGenerator then rejects with GeneratorStopped, which is the normal end here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { usersForRate } from '../generator/population.ts';
import type { GeneratedRecord } from '../generator/generated-record.ts';
import { runGenerator } from '../generator/run-generator.ts';
import { KafkaSink } from '../generator/sinks/kafka-sink.ts';
import type { RecordSink } from '../generator/sinks/record-sink.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';

export interface LiveGeneratorOptions {
  endpoints: StackEndpoints;
  /** Records per second on the wall clock. */
  ratePerS: number;
  /** Simulated users; default: as many as make `ratePerS` at the simulation's natural pace. */
  users?: number;
  /** Simulated time starts this far in the past (it catches up when users are fewer than the default). */
  backfillMs: number;
  seed: number;
  /** Prefix of the physical topic names (the contract names follow it). */
  topicPrefix: string;
}

export interface LiveGenerator {
  /** Records handed to Kafka so far. */
  readonly records: number;
  /** Set when the generator stopped on its own with an error. */
  readonly error: unknown;
  stop(): Promise<void>;
}

class GeneratorStopped extends Error {}

const STOP_WAIT_MS = 3000;

export async function startLiveGenerator(options: LiveGeneratorOptions): Promise<LiveGenerator> {
  const { endpoints, ratePerS, topicPrefix } = options;
  const kafka = createKafka(endpoints.kafka, 'lms-start-generator');
  const sink = await KafkaSink.connect(kafka);
  let stopping = false;
  let records = 0;
  let error: unknown;
  const gate: RecordSink = {
    write: (batch: readonly GeneratedRecord[]) => {
      if (stopping) return Promise.reject(new GeneratorStopped('stopped'));
      return sink.write(
        topicPrefix === '' ? batch : batch.map((r) => ({ ...r, topic: `${topicPrefix}${r.topic}` })),
      );
    },
    close: () => Promise.resolve(), // closed below, also when the run ends by stop()
  };
  const nowMs = Date.now();
  const run = runGenerator({
    options: {
      seed: options.seed,
      users: options.users ?? usersForRate(ratePerS),
      partitions: endpoints.partitions,
      startTimeMs: nowMs - options.backfillMs,
      wallClockMs: Date.now,
    },
    sink: gate,
    ratePerS,
    holdToWallClock: true,
    progress: { update: (count) => (records = count), stop: () => undefined },
  }).then(
    () => undefined,
    (failure: unknown) => {
      if (!(failure instanceof GeneratorStopped)) error = failure;
    },
  );
  return {
    get records() {
      return records;
    },
    get error() {
      return error;
    },
    async stop() {
      stopping = true;
      // The next write refuses within one batch; a generator asleep until its next record's time is not waited for.
      await Promise.race([run, sleep(STOP_WAIT_MS)]);
      await sink.close();
    },
  };
}
