/**
 * The job's topics on the broker: the contract names with an optional prefix (tests and shared clusters
 * use one), the start-up check (topics exist, equal partition counts, LogAppendTime), and offsets.
 */
import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS: its enums come through the default export under ESM.
const { ConfigResourceTypes } = kafkajs;
import { RunnerError } from './runner-error.ts';

export class TopicNames {
  constructor(readonly prefix: string) {}

  physical(contractTopic: string): string {
    return `${this.prefix}${contractTopic}`;
  }

  /** The contract name of a broker topic (what validation and checkpoints key on). */
  contract(physicalTopic: string): string {
    return physicalTopic.startsWith(this.prefix) ? physicalTopic.slice(this.prefix.length) : physicalTopic;
  }
}

/** Checks the topics of one job; returns their (common) partition count. */
export async function checkTopics(admin: Admin, job: string, topics: readonly string[]): Promise<number> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    throw new RunnerError(
      'topic_missing',
      `job ${job}: topic(s) ${missing.join(', ')} do not exist; create them with the same partition count ` +
        `and message.timestamp.type=LogAppendTime (\`speed-layer generate --kafka\` or \`stack up\` does)`,
    );
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  const counts = metadata.topics.map((topic) => `${topic.name}=${topic.partitions.length}`);
  if (new Set(metadata.topics.map((topic) => topic.partitions.length)).size !== 1) {
    throw new RunnerError(
      'partition_mismatch',
      `job ${job}: its topics must have equal partition counts (a user's events sit in the same partition ` +
        `number on every topic), got ${counts.join(', ')}`,
    );
  }
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['message.timestamp.type'],
    })),
  });
  for (const resource of configs.resources) {
    const value = resource.configEntries.find(
      (entry) => entry.configName === 'message.timestamp.type',
    )?.configValue;
    if (value !== 'LogAppendTime') {
      throw new RunnerError(
        'timestamp_type',
        `job ${job}: topic ${resource.resourceName} has message.timestamp.type=${value ?? '(unknown)'}; the ` +
          `future rule needs broker time: kafka-configs --alter --entity-type topics --entity-name ` +
          `${resource.resourceName} --add-config message.timestamp.type=LogAppendTime`,
      );
    }
  }
  return metadata.topics[0]!.partitions.length;
}

export interface PartitionOffsets {
  /** Log start offset (retention moves it up). */
  low: number;
  /** High-water mark: the next offset the broker will assign. */
  high: number;
}

/** Offsets of every partition of the topics, keyed by `physicalTopic:partition`. */
export async function fetchOffsets(
  admin: Admin,
  topics: readonly string[],
): Promise<Map<string, PartitionOffsets>> {
  const offsets = new Map<string, PartitionOffsets>();
  await Promise.all(
    topics.map(async (topic) => {
      for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
        offsets.set(`${topic}:${partition}`, { low: Number(low), high: Number(high) });
      }
    }),
  );
  return offsets;
}
