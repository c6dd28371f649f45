/**
 * Produces records to Kafka: idempotent kafkajs producer, acks from all replicas, no compression, the
 * partition set explicitly (the same Kafka-default-partitioner value the record file would hold).
 * One sendBatch at a time, so each partition's records are appended in the order written (two
 * concurrent sendBatch calls may reach the broker in either order); while one is in flight the next
 * batch grows, so batches get as large as the broker's round trip needs.
 */
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { GeneratedRecord } from '../generated-record.ts';
import type { RecordSink } from './record-sink.ts';

/** Records per sendBatch at most. */
const MAX_BATCH = 8192;
/** write() waits while this many records are waiting to be sent. */
const MAX_PENDING = 4 * MAX_BATCH;

export class KafkaSink implements RecordSink {
  private pending: GeneratedRecord[] = [];
  private sending: Promise<void> | null = null;
  private failure: unknown = null;

  private constructor(private readonly producer: Producer) {}

  static async connect(kafka: Kafka): Promise<KafkaSink> {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    return new KafkaSink(producer);
  }

  async write(records: readonly GeneratedRecord[]): Promise<void> {
    if (this.failure !== null) throw this.failure;
    for (const record of records) this.pending.push(record);
    this.startPump();
    while (this.pending.length >= MAX_PENDING && this.sending !== null) await this.sending;
    if (this.failure !== null) throw this.failure;
  }

  async close(): Promise<void> {
    while (this.sending !== null) await this.sending;
    await this.producer.disconnect();
    if (this.failure !== null) throw this.failure;
  }

  private startPump(): void {
    if (this.sending !== null || this.pending.length === 0 || this.failure !== null) return;
    this.sending = this.pump().finally(() => {
      this.sending = null;
      this.startPump();
    });
  }

  /** Sends pending records batch after batch until none are left (or a send fails). */
  private async pump(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.length <= MAX_BATCH ? this.pending : this.pending.slice(0, MAX_BATCH);
        this.pending = batch === this.pending ? [] : this.pending.slice(MAX_BATCH);
        await this.send(batch);
      }
    } catch (error) {
      this.failure = error;
    }
  }

  private async send(batch: readonly GeneratedRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const record of batch) {
      let messages = byTopic.get(record.topic);
      if (messages === undefined) byTopic.set(record.topic, (messages = []));
      messages.push({ key: record.key, value: record.value, partition: record.partition });
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
  }
}
