/**
 * Wiring of the HTTP edge: topics, an idempotent producer (acks = all), the dead-letter writer, the
 * server listening; `close()` drains in-flight requests (fastify answers 503 to new ones meanwhile),
 * then the dead-letter writer and the producer, then disconnects.
 */
import type { Logger } from 'pino';
import type { KafkaEndpoint } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { ensureTopics } from '../stack/topics.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { ConnectionLimits } from '../shared/connection-limits.ts';
import { IngestDeadLetterWriter } from './dead-letter-writer.ts';
import { coalescingSink, directSink, kafkaSendBatch } from './event-sink.ts';
import { createIngestMetrics } from './ingest-metrics.ts';
import { buildIngestServer } from './ingest-server.ts';
import { DEFAULT_BODY_LIMIT_BYTES } from './parse-body.ts';

export interface IngestRunOptions {
  kafka: KafkaEndpoint;
  /** Partitions per topic when the topics must be created. */
  partitions: number;
  /** Where dead letters go (S3 bucket root or a local directory). */
  store: ObjectStore;
  host: string;
  port: number;
  /** Largest body, after gunzip (default 5 MiB). */
  bodyLimitBytes?: number;
  /** Timeouts and the connection cap (defaults: DEFAULT_CONNECTION_LIMITS). */
  connections?: Partial<ConnectionLimits>;
  /** Share sendBatch calls between concurrent requests (default true). */
  coalesce?: boolean;
  /** With coalesce: wait this long for more requests before sending (default 0). */
  lingerMs?: number;
  logger: Logger;
}

export interface RunningIngest {
  url: string;
  close(): Promise<void>;
}

export async function startIngest(options: IngestRunOptions): Promise<RunningIngest> {
  const kafka = createKafka(options.kafka, 'lms-ingest', options.logger);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, options.partitions);
  } finally {
    await admin.disconnect();
  }
  // One request in flight per broker keeps the idempotent producer's sequence numbers in order.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();

  const metrics = createIngestMetrics();
  const sendBatch = kafkaSendBatch(producer, (records) => metrics.produceBatchRecords.observe(records));
  const disconnect = () => producer.disconnect();
  const sink =
    (options.coalesce ?? true)
      ? coalescingSink(sendBatch, options.lingerMs ?? 0, disconnect)
      : directSink(sendBatch, disconnect);
  const deadLetters = new IngestDeadLetterWriter(options.store, undefined, () =>
    metrics.deadLetterObjects.inc(),
  );
  const server = buildIngestServer({
    sink,
    deadLetters,
    metrics,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    connections: options.connections,
    onFailure: (error, requestId) =>
      options.logger.error({ err: error, requestId }, 'events not stored; answered 503'),
    onUnexpectedError: (error, requestId) =>
      options.logger.error({ err: error, requestId }, 'unexpected error; answered 500'),
  });
  const url = await server.listen({ host: options.host, port: options.port });
  return {
    url,
    async close() {
      await server.close();
      await deadLetters.close();
      await sink.close();
    },
  };
}
