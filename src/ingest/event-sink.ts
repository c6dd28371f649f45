/**
 * Where accepted events go: Kafka, keyed by user_id (kafkajs's default partitioner is Kafka's murmur2
 * one, so a user's events land where the generator would put them). `send` resolves only after the
 * broker acknowledged every record (acks = all). Two strategies, measured in docs/ingest.md:
 * - coalescing (default): every request's records join a group commit; one sendBatch is in flight at a
 *   time and carries all requests that arrived meanwhile;
 * - direct: each request sends its own sendBatch calls (kafkajs queues them per broker).
 */
import { CompressionTypes, type Producer } from 'kafkajs';
import type { Topic } from '../events/topics.ts';
import { GroupCommitter } from './group-commit.ts';

export interface ProduceRecord {
  topic: Topic;
  /** user_id */
  key: string;
  /** The event's JSON bytes exactly as they are stored (an NDJSON line as received). */
  value: Buffer;
}

export interface EventSink {
  /** Resolves when every record is acknowledged by the broker; rejects if any was not. */
  send(records: readonly ProduceRecord[]): Promise<void>;
  /** Waits for what is in flight, then releases the connection. */
  close(): Promise<void>;
}

export type SendBatch = (records: readonly ProduceRecord[]) => Promise<void>;

/** One sendBatch stays well under the broker's default 1 MiB per-partition batch, even if all records share a key. */
export const MAX_SEND_BYTES = 512 * 1024;
/** Per-record overhead counted against MAX_SEND_BYTES (record header, varints). */
const RECORD_OVERHEAD_BYTES = 32;

function recordBytes(record: ProduceRecord): number {
  // The key's string length is a lower bound of its UTF-8 bytes; exact enough for a cap with a 2x margin.
  return record.value.length + record.key.length + RECORD_OVERHEAD_BYTES;
}

/** A kafkajs sendBatch of records, grouped per topic, acks from all in-sync replicas, uncompressed. */
export function kafkaSendBatch(producer: Producer, onBatch?: (size: number) => void): SendBatch {
  return async (records) => {
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const record of records) {
      let messages = byTopic.get(record.topic);
      if (messages === undefined) byTopic.set(record.topic, (messages = []));
      messages.push({ key: record.key, value: record.value });
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    onBatch?.(records.length);
    await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
  };
}

export function coalescingSink(
  sendBatch: SendBatch,
  lingerMs: number,
  close: () => Promise<void>,
): EventSink {
  const committer = new GroupCommitter<ProduceRecord>({
    flush: sendBatch,
    weigh: recordBytes,
    maxBatchWeight: MAX_SEND_BYTES,
    lingerMs,
  });
  return {
    send: (records) => committer.add(records),
    async close() {
      await committer.drain();
      await close();
    },
  };
}

export function directSink(sendBatch: SendBatch, close: () => Promise<void>): EventSink {
  const inFlight = new Set<Promise<void>>();
  const send = async (records: readonly ProduceRecord[]): Promise<void> => {
    let start = 0;
    while (start < records.length) {
      let end = start;
      let bytes = 0;
      do bytes += recordBytes(records[end++]!);
      while (end < records.length && bytes + recordBytes(records[end]!) <= MAX_SEND_BYTES);
      await sendBatch(records.slice(start, end));
      start = end;
    }
  };
  return {
    send(records) {
      const sending = send(records);
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending)).catch(() => undefined);
      return sending;
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      await close();
    },
  };
}
