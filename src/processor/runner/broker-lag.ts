/**
 * A job's lag as the broker sees it, for /healthz while no runner reads (a job starting or restarting):
 * the end offsets of its partitions minus the offsets its consumer group last committed, which every
 * commit of the job also records (docs/runner.md). A partition the group never committed counts from
 * the log start. One admin request pair, without retries: an unreachable broker gives no number.
 */
import type { Admin, Kafka } from 'kafkajs';

export async function brokerLag(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    return await groupLag(admin, groupId, topics);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The same, over a connected admin client. */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  const committed = new Map<string, number>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] }))
    for (const { partition, offset } of partitions) committed.set(`${topic}:${partition}`, Number(offset));
  let lag = 0;
  for (const topic of topics) {
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      const from = committed.get(`${topic}:${partition}`) ?? -1;
      lag += Math.max(0, Number(high) - (from >= 0 ? from : Number(low)));
    }
  }
  return lag;
}
