/**
 * What the Kafka loop takes from kafkajs: a fetched batch's messages as source records of the
 * partition (only from its next offset on: a fetch that raced a seek may start earlier), and whether a
 * heartbeat error means the group is rebalancing.
 */
import type { KafkaMessage } from 'kafkajs';
import type { RecordBytes, SourceRecord } from '../../events/record.ts';
import type { PartitionRef } from '../io/commit.ts';

// Fatal: bytes that are not UTF-8 throw instead of becoming U+FFFD (which would merge distinct ids).
// ignoreBOM: a leading U+FEFF stays in the text, as it was on the wire. As fast as Buffer#toString.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes' text; a copy of the bytes when they are not UTF-8 (the fetch buffer is not kept alive). */
function decode(bytes: Buffer | null): RecordBytes {
  if (bytes === null) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return Buffer.from(bytes);
  }
}

/** The partition's records at or after `nextOffset` (contract topic name), key and value decoded strictly. */
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
      key: decode(message.key),
      value: decode(message.value),
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
