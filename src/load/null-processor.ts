/**
 * The practical ceiling of a job on this machine: a kafkajs consumer with the runner's client settings
 * (one consumer in its own group, maxWaitTimeInMs = trigger interval, kafkajs's default fetch sizes,
 * eachBatch) that does per record what the runner does before the engine — build the SourceRecord
 * (offset, timestamp, key and value decoded) and validateValue (JSON.parse + the contract) — and nothing
 * else: no state, no windows, no checkpoints.
 */
import { randomUUID } from 'node:crypto';
import { validateValue } from '../events/validate.ts';
import type { Topic } from '../events/topics.ts';
import { toRecords } from '../processor/runner/kafka-records.ts';
import type { KafkaEndpoint } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { progressBar } from './progress-bar.ts';

export interface NullRun {
  records: number;
  invalid: number;
  seconds: number;
  recordsPerS: number;
}

/** The runner's defaults (settings.ts): trigger interval 1 s, session timeout 30 s. */
const TRIGGER_INTERVAL_MS = 1000;
const SESSION_TIMEOUT_MS = 30_000;

export async function readWithNullProcessor(
  endpoint: KafkaEndpoint,
  topicPrefix: string,
  topics: readonly Topic[],
  label: string,
): Promise<NullRun> {
  const kafka = createKafka(endpoint, 'load-null-processor');
  const physical = topics.map((topic) => `${topicPrefix}${topic}`);
  const ends = new Map<string, number>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of physical) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (Number(high) > Number(low)) ends.set(`${topic}/${partition}`, Number(high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const total = [...ends.values()].reduce((sum, n) => sum + n, 0);
  const bar = progressBar(label, total);
  const startedMs = performance.now();
  const consumer = kafka.consumer({
    groupId: `load-null-${randomUUID()}`,
    maxWaitTimeInMs: TRIGGER_INTERVAL_MS,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: SESSION_TIMEOUT_MS / 5,
  });
  let records = 0;
  let invalid = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  if (ends.size === 0) finish();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: physical, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const id = `${batch.topic}/${batch.partition}`;
        const end = ends.get(id);
        if (end === undefined) return;
        const topic = batch.topic.slice(topicPrefix.length) as Topic;
        // The runner's SourceRecords, built by the same code (job-runner.ts).
        for (const record of toRecords(
          { topic, partition: batch.partition, nextOffset: 0 },
          batch.messages,
        )) {
          if (record.offset >= end) break;
          if (!validateValue(topic, record.key, record.value).ok) invalid++;
          records++;
        }
        bar.update(records);
        if (Number(batch.lastOffset()) + 1 >= end) {
          ends.delete(id);
          if (ends.size === 0) finish();
        }
      },
    });
    await done;
  } finally {
    bar.stop();
    await consumer.disconnect();
  }
  const seconds = (performance.now() - startedMs) / 1000;
  return {
    records,
    invalid,
    seconds: Math.round(seconds * 100) / 100,
    recordsPerS: Math.round(records / seconds),
  };
}
