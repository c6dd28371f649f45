/**
 * The Kafka side of provisional rows, shared by every job of a process: one producer, and the topic
 * (io/provisional-message.ts) created on first use when missing (one partition, one hour of
 * retention: a reader needs only the last minutes). Opens lazily and in the background, so a broker
 * that is down delays provisional rows and never the jobs; a failed open is tried again later.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';

const RETENTION_MS = 60 * 60_000;
const REOPEN_AFTER_MS = 5000;

export class ProvisionalChannel {
  private producer: Producer | undefined;
  private opening: Promise<void> | undefined;
  private failedAtMs = -Infinity;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly logger: Logger,
  ) {}

  /** The connected producer, or undefined while it opens (the caller keeps its changes for later). */
  ready(nowMs: number): Producer | undefined {
    if (this.producer !== undefined || this.closed) return this.producer;
    if (this.opening === undefined && nowMs - this.failedAtMs >= REOPEN_AFTER_MS)
      this.opening = this.open().finally(() => (this.opening = undefined));
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic))
        await admin
          .createTopics({
            topics: [
              {
                topic: this.topic,
                numPartitions: 1,
                configEntries: [{ name: 'retention.ms', value: String(RETENTION_MS) }],
              },
            ],
          })
          .catch((error: unknown) => {
            // Another process created it meanwhile.
            if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
          });
      const producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      if (this.closed) await producer.disconnect();
      else this.producer = producer;
    } catch (error) {
      this.failedAtMs = Date.now();
      this.logger.warn({ err: error, topic: this.topic }, 'provisional rows: cannot open the topic yet');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
