/**
 * The six topics, created by the project: the same partition count for all, and LogAppendTime so the
 * broker's clock stamps records (the `future` rule of docs/contract/semantics.md relies on it).
 */
import type { Admin } from 'kafkajs';
import { TOPICS } from '../events/topics.ts';

export const TOPIC_CONFIG = [{ name: 'message.timestamp.type', value: 'LogAppendTime' }];

/** Creates any missing topic; existing topics are left as they are (the runner checks their settings). */
export async function ensureTopics(
  admin: Admin,
  partitions: number,
  topics: readonly string[] = TOPICS,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: partitions,
      replicationFactor: 1,
      configEntries: TOPIC_CONFIG,
    })),
  });
}
