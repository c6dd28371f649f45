/**
 * Producing given records as they are — raw key and value bytes, headers, a topic each — for tools that
 * put records back on Kafka (`dead-letters replay`). The Kafka comes from the settings' endpoint values,
 * else from a running `stack up`; nothing is started. Idempotent producer, acks from all replicas, so a
 * broker retry never writes a record twice; the partition is the default partitioner's (by key).
 */
import { CompressionTypes, type Message } from 'kafkajs';
import type { KafkaEndpoint } from './endpoints.ts';
import { createKafka } from './kafka-client.ts';
import { checkEndpointValues, type EndpointValues } from './stack-env.ts';
import { StackError } from './stack-error.ts';
import { runningStackState } from './stack-state.ts';

export interface ProducedRecord {
  topic: string;
  key: Buffer | null;
  /** null produces a tombstone. */
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface RecordProducer {
  /** Resolves when the broker acknowledged every record, in order per topic. */
  send(records: readonly ProducedRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** The Kafka the endpoint values name (KAFKA_BROKERS…), else a running stack's; throws naming what to set. */
export function kafkaEndpointOf(
  values: EndpointValues,
  stackKafka = () => runningStackState()?.endpoints.kafka,
): KafkaEndpoint {
  const checked = checkEndpointValues(values);
  if (!checked.ok) throw new StackError('bad_env', `bad Kafka settings: ${checked.errors.join('; ')}`);
  const kafka = checked.settings.kafka ?? stackKafka();
  if (kafka === undefined)
    throw new StackError(
      'no_stack',
      'no Kafka to produce to: set KAFKA_BROKERS (or --kafka-brokers), or run `npx speed-layer stack up`',
    );
  return kafka;
}

/** Connects, after checking that every topic exists (a missing one would only time out later). */
export async function openRecordProducer(
  endpoint: KafkaEndpoint,
  topics: readonly string[],
  clientId = 'lms-speed-layer-replay',
): Promise<RecordProducer> {
  const kafka = createKafka(endpoint, clientId);
  const admin = kafka.admin();
  await admin.connect().catch((error: unknown) => {
    throw new Error(`Kafka at ${endpoint.brokers.join(',')}: ${(error as Error).message}`, { cause: error });
  });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length > 0) throw new Error(`topic(s) ${missing.join(', ')} do not exist on the brokers`);
  } finally {
    await admin.disconnect();
  }
  // One request in flight keeps the idempotent producer's sequence numbers, and the records, in order.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return {
    async send(records) {
      const byTopic = new Map<string, Message[]>();
      for (const { topic, key, value, headers } of records) {
        let messages = byTopic.get(topic);
        if (messages === undefined) byTopic.set(topic, (messages = []));
        messages.push({ key, value, headers });
      }
      const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
      await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
    },
    close: () => producer.disconnect(),
  };
}
