/**
 * Connects the generator to the Kafka named by the environment (KAFKA_BROKERS etc., read by the stack's
 * readStackEnv), creates missing topics (LogAppendTime), and settles the partition count: the generator
 * sets each record's partition itself, so it must match the topics' actual count.
 */
import type { Topic } from '../../events/topics.ts';
import { createKafka } from '../../stack/kafka-client.ts';
import { readStackEnv } from '../../stack/stack-env.ts';
import { ensureTopics } from '../../stack/topics.ts';
import type { KafkaEndpoint } from '../../stack/endpoints.ts';
import { KafkaSink } from './kafka-sink.ts';

/** The Kafka endpoint from the environment; throws a one-line error naming what to set. */
export function kafkaEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): {
  kafka: KafkaEndpoint;
  partitions: number;
} {
  const result = readStackEnv(env);
  if (!result.ok) throw new Error(result.errors.join('; '));
  if (result.settings.kafka === undefined)
    throw new Error('--kafka needs KAFKA_BROKERS (host:port[,host:port...]); `stack up` prints it');
  return { kafka: result.settings.kafka, partitions: result.settings.partitions };
}

export async function openKafkaSink(
  partitionsFlag: number | undefined,
  topics: readonly Topic[],
  endpoint = kafkaEndpointFromEnv(),
): Promise<{ sink: KafkaSink; partitions: number }> {
  const kafka = createKafka(endpoint.kafka, 'lms-generator');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, partitionsFlag ?? endpoint.partitions, topics);
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    const counts = new Set(metadata.topics.map((topic) => topic.partitions.length));
    if (counts.size !== 1)
      throw new Error(
        `topics ${topics.join(', ')} have different partition counts (${[...counts].join(', ')})`,
      );
    const actual = [...counts][0]!;
    if (partitionsFlag !== undefined && partitionsFlag !== actual) {
      throw new Error(`--partitions ${partitionsFlag} but the existing topics have ${actual} partitions`);
    }
    return { sink: await KafkaSink.connect(kafka), partitions: actual };
  } finally {
    await admin.disconnect();
  }
}
