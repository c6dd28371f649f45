/** Prometheus metrics of `serve` (prom-client), in their own registry, prefix `speed_layer_serve_`. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createServeMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'speed_layer_serve_requests_total',
      help: 'Requests by route (the pattern, not the URL) and HTTP status',
      labelNames: ['route', 'status'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'speed_layer_serve_request_duration_seconds',
      help: 'Time from request to response, by route',
      labelNames: ['route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    rows: new Counter({
      name: 'speed_layer_serve_rows_total',
      help: 'Rows sent, by the layer they came from (batch, speed)',
      labelNames: ['source'],
      registers,
    }),
    streamSubscribers: new Gauge({
      name: 'speed_layer_serve_stream_subscribers',
      help: 'Open Server-Sent-Events streams',
      registers,
    }),
    streamDroppedClients: new Counter({
      name: 'speed_layer_serve_stream_dropped_clients_total',
      help: 'Streams closed by the server because the client did not take its events (buffer limit)',
      registers,
    }),
    streamEvents: new Counter({
      name: 'speed_layer_serve_stream_events_total',
      help: 'Stream events sent, by kind (final, provisional)',
      labelNames: ['event'],
      registers,
    }),
  };
}

export type ServeMetrics = ReturnType<typeof createServeMetrics>;
