/**
 * The HTTP query API of `speed-layer serve` (docs/serving.md): the /v1 routes over the views, the
 * OpenAPI document and its page, and /healthz, /readyz, /metrics. Limits as the ingestion edge has them
 * (connection-limits.ts: headers/request/idle/keep-alive timeouts, a connection cap), plus a cap on the
 * query string and a timeout per answer; gzip for clients that accept it; with a token, every /v1
 * request must carry it. Built without listening, so tests can `inject` or listen on port 0.
 */
import compress from '@fastify/compress';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { AlertService } from '../alerts/alert-service.ts';
import { alertsRoutes } from '../alerts/alerts-routes.ts';
import { dashboardRoutes } from '../dashboard/dashboard-routes.ts';
import { connectionLimits, type ConnectionLimits } from '../shared/connection-limits.ts';
import { limitedFastify } from '../shared/limited-fastify.ts';
import { bearerCheck } from './bearer-token.ts';
import type { MergedRows } from './merged-rows.ts';
import { registerOpenApi } from './openapi.ts';
import type { ProvisionalRows } from './provisional-rows.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import { registerStreamRoutes, type StreamLimits } from './stream-routes.ts';
import { registerViewsRoutes } from './views-routes.ts';

export interface ServeServerOptions {
  rows: MergedRows;
  metrics: ServeMetrics;
  /** When set, every /v1 request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Timeouts and the connection cap; unset ones take DEFAULT_CONNECTION_LIMITS. */
  connections?: Partial<ConnectionLimits>;
  /** Longest query string (after `?`) in bytes; 414 above. Default 4096. */
  maxQueryBytes?: number;
  /** An answer not ready after this long is abandoned with 503. Default 30 s. */
  queryTimeoutMs?: number;
  /** Base URL of a `speed-layer run` process's /healthz and /metrics, for GET /v1/jobs (the dashboard). */
  jobsUrl?: string;
  /** Rows of windows not complete yet, for the streams' `provisional` events. */
  provisional?: ProvisionalRows;
  /** Limits of the live-update streams; unset ones take DEFAULT_STREAM_LIMITS (stream-routes.ts). */
  stream?: Partial<StreamLimits>;
  /** The alert rules' evaluation (serve --alerts FILE), for /v1/alerts; without it those answer 404. */
  alerts?: AlertService;
  /** Called with errors the client gets as a 500 (or 503 for a store failure). */
  onUnexpectedError?: (error: unknown, requestId: string) => void;
}

export async function buildServeServer(options: ServeServerOptions): Promise<FastifyInstance> {
  const limits = connectionLimits(options.connections);
  const maxQueryBytes = options.maxQueryBytes ?? 4096;
  const { server, closing } = limitedFastify(limits);
  await server.register(compress, { global: true, encodings: ['gzip'], threshold: 1024 });
  registerOpenApi(server, { bearer: options.token !== undefined });

  const authorized = options.token === undefined ? () => true : bearerCheck(options.token);
  server.addHook('onRequest', async (request, reply) => {
    const query = request.url.indexOf('?');
    if (query !== -1 && Buffer.byteLength(request.url) - query - 1 > maxQueryBytes)
      return reply
        .code(414)
        .send({ error: 'uri_too_long', message: `the query string is limited to ${maxQueryBytes} bytes` });
    if (request.url.startsWith('/v1/') && !authorized(request.headers.authorization))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="speed-layer"')
        .send({ error: 'unauthorized', message: 'this server needs Authorization: Bearer <token>' });
    return undefined;
  });
  server.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.requests.inc({ route, status: String(reply.statusCode) });
    options.metrics.requestDuration.observe({ route }, reply.elapsedTime / 1000);
  });

  server.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}; see /v1/docs`,
    }),
  );
  server.setErrorHandler((error: FastifyError, request, reply) => {
    // A store that fails for now (AppError.retryable: S3 down, throttled) is 503: try again.
    const status = error.statusCode ?? ((error as { retryable?: boolean }).retryable === true ? 503 : 500);
    if (error.validation !== undefined || status < 500)
      return reply.code(status < 500 ? status : 400).send({ error: 'bad_request', message: error.message });
    // Its message may name internals (paths, hosts): the log gets it, the client not.
    options.onUnexpectedError?.(error, request.id);
    const message = `${status === 503 ? 'unavailable' : 'internal error'}: the server log has the details (requestId ${request.id})`;
    return reply
      .code(status)
      .send({ error: status === 503 ? 'unavailable' : 'internal', message, requestId: request.id });
  });

  registerViewsRoutes(server, {
    rows: options.rows,
    metrics: options.metrics,
    queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
  });
  registerStreamRoutes(server, {
    ...options,
    limits: options.stream,
    onError: (error) => options.onUnexpectedError?.(error, 'stream'),
  });
  await server.register(dashboardRoutes, { jobsUrl: options.jobsUrl });
  await server.register(alertsRoutes, { alerts: options.alerts });
  server.get('/healthz', async (_request, reply) =>
    reply.code(closing() ? 503 : 200).send({ status: closing() ? 'draining' : 'ok' }),
  );
  // Ready = the store answers: the completeness and the batch manifest of a view can be read.
  server.get('/readyz', async (request, reply) => {
    try {
      await options.rows.rows({ view: 'auth_realtime_login_rate', fromMs: 0, toMs: 0 });
      return await reply.send({ status: 'ready' });
    } catch (error) {
      options.onUnexpectedError?.(error, request.id);
      return reply
        .code(503)
        .send({ status: 'not ready', message: 'the store cannot be read (see the server log)' });
    }
  });
  server.get('/metrics', async (_request, reply) =>
    reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics()),
  );
  return server;
}
