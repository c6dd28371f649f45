/**
 * The live-update routes (docs/serving.md "Live updates"): `GET /v1/views/{view}/stream` with key
 * filters, and `GET /v1/stream?views=a,b,c` for a page that watches many views over one connection.
 * Both answer Server-Sent Events from one StreamHub; the server's close ends every stream first, so
 * shutdown never waits on them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VIEW_NAMES } from '../events/view-catalog.ts';
import type { MergedRows } from './merged-rows.ts';
import type { ProvisionalRows } from './provisional-rows.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import { SseClient, type SseClientLimits } from './stream-client.ts';
import { StreamHub, type StreamHubLimits } from './stream-hub.ts';
import { parseMultiStream, parseViewStream } from './stream-params.ts';

export type StreamLimits = StreamHubLimits & SseClientLimits;

export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimits> = {
  pollIntervalMs: 1000,
  maxSubscribers: 256,
  maxResumeMs: 7 * 24 * 60 * 60_000,
  rowsPerEvent: 1000,
  maxBufferedBytes: 1024 * 1024,
  keepAliveMs: 15_000,
  stallTimeoutMs: 30_000,
};

export interface StreamRoutesOptions {
  rows: MergedRows;
  metrics: ServeMetrics;
  provisional?: ProvisionalRows;
  limits?: Partial<StreamLimits>;
  onError: (error: unknown) => void;
}

export function registerStreamRoutes(server: FastifyInstance, options: StreamRoutesOptions): void {
  const limits: StreamLimits = { ...DEFAULT_STREAM_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits))
    if (!(value > 0)) throw new Error(`registerStreamRoutes: ${name} must be > 0, got ${value}`);
  const { metrics } = options;
  const hub = new StreamHub(options.rows, metrics, limits, options.provisional, options.onError);
  server.addHook('preClose', async () => hub.close());

  const open = (reply: FastifyReply, parsed: ReturnType<typeof parseMultiStream>, multi: boolean) => {
    if (!parsed.ok) return reply.code(parsed.error.status).send(parsed.error.body);
    if (hub.full)
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({
          error: 'too_many_subscribers',
          message: `this server streams to at most ${limits.maxSubscribers} clients at once; try again later`,
        });
    reply.hijack();
    const client = new SseClient(reply.raw, limits, () => metrics.streamDroppedClients.inc());
    hub.subscribe(client, parsed.watches, multi).catch((error: unknown) => {
      options.onError(error);
      client.end();
    });
    return reply;
  };
  const lastEventId = (request: FastifyRequest) => {
    const header = request.headers['last-event-id'];
    return Array.isArray(header) ? header.join(',') : header;
  };

  server.get(
    '/v1/views/:view/stream',
    {
      schema: {
        summary:
          'Server-Sent Events: `final` (rows of windows that completed, id = complete_through ms) and `provisional` updates; resumes with Last-Event-ID',
        params: {
          type: 'object',
          properties: { view: { type: 'string', description: 'a view name (GET /v1/views)' } },
        },
        querystring: {
          type: 'object',
          additionalProperties: {
            type: 'string',
            description: '`<key column>=value` for any of the view’s key columns: only rows with that key',
          },
        },
      },
    },
    async (request, reply) => {
      const { view } = request.params as { view: string };
      const query = request.query as Record<string, unknown>;
      return open(reply, parseViewStream(view, query, lastEventId(request)), false);
    },
  );

  server.get(
    '/v1/stream',
    {
      schema: {
        summary:
          'Server-Sent Events of several views over one connection; id = `view:ms` pairs joined by `,`',
        querystring: {
          type: 'object',
          properties: {
            views: {
              type: 'string',
              description: `comma-separated view names (${VIEW_NAMES.length} views, GET /v1/views)`,
            },
          },
          required: ['views'],
        },
      },
    },
    async (request, reply) =>
      open(reply, parseMultiStream(request.query as Record<string, unknown>, lastEventId(request)), true),
  );
}
