/**
 * Fills a job's topics with a backlog: the generator (every kind of fault, 30 s disorder) as fast as the
 * broker takes it, simulated time ending more than an hour ago so that, once the backlog is consumed,
 * the idle rule (now − D) finalises every window, session and join — the views then equal the oracle's.
 */
import { JOB_TOPICS, type JobName, type Topic } from '../events/topics.ts';
import type { GeneratedRecord } from '../generator/generated-record.ts';
import type { GeneratorOptions } from '../generator/options.ts';
import { runGenerator } from '../generator/run-generator.ts';
import { simulatedSpanMs } from '../generator/simulated-span.ts';
import { KafkaSink } from '../generator/sinks/kafka-sink.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import type { LoadTopics } from './load-fixture.ts';
import { progressBar } from './progress-bar.ts';

export interface Backlog {
  records: number;
  /** Injected `invalid` faults: what validation alone must reject (the ceiling's check). */
  invalid: number;
  fillS: number;
  fillRecordsPerS: number;
}

const SPAN_SAMPLE_EVENTS = 20_000;
/** The backlog ends at least this long before now: past D, the session gap and the 30 min join bound. */
const END_BEFORE_NOW_MS = 60 * 60_000;

export async function fillBacklog(
  endpoints: StackEndpoints,
  topics: LoadTopics,
  job: JobName,
  records: number,
  users: number,
): Promise<Backlog> {
  const options: Partial<GeneratorOptions> = {
    seed: Number.parseInt(topics.id, 16) + job.length,
    events: records,
    users,
    userPrefix: `u${topics.id}`,
    partitions: endpoints.partitions,
    topics: JOB_TOPICS[job] as readonly Topic[],
    disorderMs: 30_000,
    faults: { late: 0.01, duplicate: 0.01, invalid: 0.01, future: 0.005 },
  };
  // The span of a small sample, scaled up with a margin: a dry run of the whole backlog would cost as
  // much as generating it.
  const sample = Math.min(records, SPAN_SAMPLE_EVENTS);
  const spanMs = (simulatedSpanMs({ ...options, events: sample }) * records * 1.5) / sample;
  const nowMs = Date.now();
  options.startTimeMs = Math.round(nowMs - spanMs - 2 * END_BEFORE_NOW_MS);

  const sink = await KafkaSink.connect(createKafka(endpoints.kafka, 'load-backlog'));
  const bar = progressBar(`fill ${job}`, records);
  const prefixed = {
    write: (batch: readonly GeneratedRecord[]) =>
      sink.write(batch.map((record) => ({ ...record, topic: `${topics.topicPrefix}${record.topic}` }))),
    close: () => sink.close(),
  };
  const startedMs = performance.now();
  const { summary } = await runGenerator({
    options: { ...options, wallClockMs: Date.now },
    sink: prefixed,
    holdToWallClock: true,
    progress: { update: (count) => bar.update(count), stop: () => bar.stop() },
  });
  const fillS = (performance.now() - startedMs) / 1000;
  if (summary.lastTimestampMs > Date.now() - END_BEFORE_NOW_MS) {
    throw new Error(`backlog of ${job} ends too recently for every window to become final; use more users`);
  }
  return {
    records: summary.records,
    invalid: summary.faults.invalid,
    fillS: Math.round(fillS * 10) / 10,
    fillRecordsPerS: Math.round(summary.records / fillS),
  };
}
