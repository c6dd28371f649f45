/**
 * The oracle's Kafka input: every record of every partition of the given topics, from the log start to
 * the high-water mark read when the call begins, yielded as SourceRecords in offset order per partition
 * (partitions interleave freely, which the oracle allows). Records appended later are not read, so the
 * result is a fixed snapshot. The consumer uses a fresh group id and commits nothing. Keys and values
 * are decoded strictly (docs/contract/events.md: UTF-8), by a test of its own rather than the processor's.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import type { RecordBytes, SourceRecord } from '../events/record.ts';
import { TOPICS } from '../events/topics.ts';
import type { KafkaEndpoint } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';

/** A one-slot hand-off between kafkajs's eachBatch callback and the async generator, with backpressure. */
class BatchHandOff {
  private pending: { records: SourceRecord[]; taken: () => void } | undefined;
  private wake: (() => void) | undefined;
  private finished = false;
  private failure: Error | undefined;

  /** Resolves once the generator has taken the batch. */
  give(records: SourceRecord[]): Promise<void> {
    return new Promise((taken) => {
      this.pending = { records, taken };
      this.wake?.();
    });
  }

  finish(failure?: Error): void {
    this.finished = true;
    this.failure ??= failure;
    this.wake?.();
  }

  /** Lets a waiting eachBatch return when the reader stops early (disconnect waits for it). */
  release(): void {
    this.finished = true;
    this.pending?.taken();
    this.pending = undefined;
  }

  async *batches(): AsyncGenerator<SourceRecord[]> {
    for (;;) {
      if (this.pending !== undefined) {
        const { records, taken } = this.pending;
        this.pending = undefined;
        taken();
        yield records;
      } else if (this.finished) {
        if (this.failure) throw this.failure;
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }
}

/**
 * The bytes' text when they are UTF-8, by definition: decoding (which turns any ill-formed sequence into
 * U+FFFD) and encoding again gives the same bytes. Otherwise a copy of the bytes; null stays null.
 */
function decodeStrictly(bytes: Buffer | null): RecordBytes {
  if (bytes === null) return null;
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : Buffer.from(bytes);
}

export function toSourceRecord(topic: string, partition: number, message: KafkaMessage): SourceRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: decodeStrictly(message.key),
    value: decodeStrictly(message.value),
  };
}

/** High-water mark (next offset) of every non-empty partition of the topics that exist. */
async function endOffsets(endpoint: KafkaEndpoint, topics: readonly string[]): Promise<Map<string, number>> {
  const admin = createKafka(endpoint, 'lms-oracle-reader').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ends = new Map<string, number>();
    for (const topic of topics.filter((name) => existing.has(name))) {
      for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
        if (Number(high) > Number(low)) ends.set(`${topic}/${partition}`, Number(high));
      }
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

export async function* readKafkaRecords(
  endpoint: KafkaEndpoint,
  topics: readonly string[] = TOPICS,
): AsyncGenerator<SourceRecord> {
  const ends = await endOffsets(endpoint, topics);
  if (ends.size === 0) return;
  const kafka = createKafka(endpoint, 'lms-oracle-reader');
  const consumer = kafka.consumer({ groupId: `lms-oracle-${randomUUID()}` });
  const handOff = new BatchHandOff();
  // kafkajs reports retriable crashes too (e.g. the group coordinator still loading) and restarts itself
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) handOff.finish(payload.error);
  });
  try {
    await consumer.connect();
    const nonEmptyTopics = new Set([...ends.keys()].map((id) => id.slice(0, id.lastIndexOf('/'))));
    await consumer.subscribe({ topics: [...nonEmptyTopics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const id = `${batch.topic}/${batch.partition}`;
        const end = ends.get(id);
        if (end === undefined) return;
        const records = batch.messages
          .filter((message) => Number(message.offset) < end)
          .map((message) => toSourceRecord(batch.topic, batch.partition, message));
        if (records.length > 0) await handOff.give(records);
        // lastOffset() also covers control records (transaction markers), which carry no message
        if (Number(batch.lastOffset()) + 1 >= end) {
          ends.delete(id);
          if (ends.size === 0) handOff.finish();
        }
      },
    });
    for await (const records of handOff.batches()) yield* records;
  } finally {
    handOff.release();
    await consumer.disconnect();
  }
}
