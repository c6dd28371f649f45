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
    waitForLeaders: false,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: partitions,
      replicationFactor: 1,
      configEntries: TOPIC_CONFIG,
    })),
  });
  await waitForLeaders(admin, missing);
}

/** How long new topics may take to get leaders (a broker under load propagates metadata late). */
const LEADERS_TIMEOUT_MS = 120_000;

/**
 * Waits until every partition of `topics` has a leader. kafkajs's own wait gives up on the first
 * "does not host this topic-partition" answer, which a busy KRaft broker gives for a while after a create.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADERS_TIMEOUT_MS;
  for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1000)) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const led = found.every(
        ({ partitions }) => partitions.length > 0 && partitions.every(({ leader }) => leader >= 0),
      );
      if (led && found.length === topics.length) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.join(', ')} have no leaders after ${LEADERS_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
