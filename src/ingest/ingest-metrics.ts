/** Prometheus metrics of the ingestion edge (prom-client), in their own registry, with the project's prefix. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createIngestMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'speed_layer_ingest_requests_total',
      help: 'POST /events requests by HTTP status',
      labelNames: ['status'],
      registers,
    }),
    events: new Counter({
      name: 'speed_layer_ingest_events_total',
      help: 'Events received, by topic ("none" when the type named none) and outcome (accepted, rejected)',
      labelNames: ['topic', 'outcome'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'speed_layer_ingest_request_duration_seconds',
      help: 'POST /events from body parsed to response (includes the broker ack)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    produceBatchRecords: new Histogram({
      name: 'speed_layer_ingest_produce_batch_records',
      help: 'Records per Kafka sendBatch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
    deadLetterObjects: new Counter({
      name: 'speed_layer_ingest_dead_letter_objects_total',
      help: 'Dead-letter objects written',
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
