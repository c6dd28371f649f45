/**
 * What the Kafka loop takes from kafkajs: a fetched batch's messages as source records of the
 * partition (only from its next offset on: a fetch that raced a seek may start earlier), and whether a
 * heartbeat error means the group is rebalancing.
 */
import type { KafkaMessage } from 'kafkajs';
import type { SourceRecord } from '../../events/record.ts';
import type { PartitionRef } from '../io/commit.ts';

/** The partition's records at or after `nextOffset`, keyed and valued as UTF-8 text (contract topic name). */
export function toRecords(
  at: PartitionRef & { nextOffset: number },
  messages: readonly KafkaMessage[],
): SourceRecord[] {
  const records: SourceRecord[] = [];
  for (const message of messages) {
    const offset = Number(message.offset);
    if (offset < at.nextOffset) continue; // already processed (a fetch raced a seek)
    records.push({
      topic: at.topic,
      partition: at.partition,
      offset,
      timestamp: Number(message.timestamp),
      key: message.key === null ? null : message.key.toString('utf8'),
      value: message.value === null ? '' : message.value.toString('utf8'),
    });
  }
  return records;
}

/** A heartbeat (or commit) failed because the group is rebalancing or moved: rejoin, don't fail. */
export function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: string } | undefined)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION'
  );
}
