/**
 * The /v1 routes over the views: the catalog, a view's rows of a time range (merged, paged, in three
 * formats, with an ETag when settled) and its latest rows. Route schemas document the parameters for
 * /v1/openapi.json; the checks that give the API's own messages are in query-params.ts.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { VIEW_NAMES } from '../events/view-catalog.ts';
import { matchesEtag, rowsEtag, settledAnswer } from './answer-cache.ts';
import type { MergedAnswer, MergedRows } from './merged-rows.ts';
import { decodeCursor, pageOf, queryId } from './page.ts';
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  ROW_FORMATS,
  parseLatestQuery,
  parseRowsQuery,
  type ClientError,
} from './query-params.ts';
import { renderRows, type Rendered } from './render-rows.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import { viewCatalog } from './view-catalog-body.ts';

export interface ViewsRoutesOptions {
  rows: MergedRows;
  metrics: ServeMetrics;
  /** An answer that takes longer is abandoned with 503. */
  queryTimeoutMs: number;
}

const viewParam = {
  type: 'object',
  properties: {
    view: { type: 'string', description: `a view name: ${VIEW_NAMES.length} views, GET /v1/views` },
  },
};
const formatParam = { type: 'string', enum: ROW_FORMATS, default: 'json', description: 'answer format' };
const keyFilters = {
  type: 'string',
  description:
    '`<key column>=value` for any of the view’s key columns (GET /v1/views): only rows with that key',
};

/** Rejects after `ms`, so a stuck store read cannot hold a request (and its socket) for good. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`query took longer than ${ms} ms`), { statusCode: 503 })),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function sendClientError(reply: FastifyReply, error: ClientError) {
  return reply.code(error.status).send(error.body);
}

function sendRendered(reply: FastifyReply, rendered: Rendered) {
  return reply.headers(rendered.headers).type(rendered.contentType).send(rendered.body);
}

function countRows(metrics: ServeMetrics, answer: Pick<MergedAnswer, 'rows'>): void {
  let batch = 0;
  for (const { source } of answer.rows) if (source === 'batch') batch++;
  if (batch > 0) metrics.rows.inc({ source: 'batch' }, batch);
  if (answer.rows.length > batch) metrics.rows.inc({ source: 'speed' }, answer.rows.length - batch);
}

export function registerViewsRoutes(server: FastifyInstance, options: ViewsRoutesOptions): void {
  const { rows, metrics, queryTimeoutMs } = options;

  server.get(
    '/v1/views',
    { schema: { summary: 'The catalog: every view with its job, window, key columns and columns' } },
    async () => ({
      views: viewCatalog(),
    }),
  );

  server.get(
    '/v1/views/:view',
    {
      schema: {
        summary:
          'Rows of windows (or sessions) starting in [from, to): batch before the boundary, complete speed rows after it',
        params: viewParam,
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', description: 'first window start, ISO-8601 with a zone (inclusive)' },
            to: {
              type: 'string',
              description: 'window starts before this, ISO-8601 with a zone (exclusive)',
            },
            limit: {
              type: 'string',
              description: `rows per page, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT})`,
            },
            cursor: { type: 'string', description: 'next_cursor of the previous page (same query)' },
            format: formatParam,
          },
          required: ['from', 'to'],
          additionalProperties: keyFilters,
        },
      },
    },
    async (request, reply) => {
      const { view } = request.params as { view: string };
      const parsed = parseRowsQuery(view, request.query as Record<string, unknown>);
      if (!parsed.ok) return sendClientError(reply, parsed.error);
      const { spec, fromMs, toMs, keys, limit, format } = parsed.request;
      const id = queryId([spec.name, fromMs, toMs, keys]);
      const after =
        parsed.request.cursor === undefined ? undefined : decodeCursor(parsed.request.cursor, id, spec);
      if (after instanceof Error)
        return reply.code(400).send({ error: 'bad_request', message: after.message });
      const answer = await withTimeout(rows.rows({ view: spec.name, fromMs, toMs, keys }), queryTimeoutMs);
      const page = pageOf(spec, answer.rows, after === undefined ? { limit, id } : { limit, id, after });
      if (settledAnswer(answer, { fromMs, toMs })) {
        const etag = rowsEtag(spec, [format, page.nextCursor], page.rows);
        reply.header('etag', etag).header('cache-control', 'no-cache');
        if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
      }
      countRows(metrics, page);
      const meta = {
        view: spec.name,
        from: fromMs,
        to: toMs,
        boundaryMs: answer.boundaryMs,
        completeThroughMs: answer.completeThroughMs,
        provisionalAsOfMs: answer.provisionalAsOfMs,
      };
      return sendRendered(
        reply,
        renderRows(format, spec, page.rows, { ...meta, page: { limit, nextCursor: page.nextCursor } }),
      );
    },
  );

  server.get(
    '/v1/views/:view/latest',
    {
      schema: {
        summary: 'The rows of the newest window (or session start) that has any',
        params: viewParam,
        querystring: {
          type: 'object',
          properties: { format: formatParam },
          additionalProperties: keyFilters,
        },
      },
    },
    async (request, reply) => {
      const { view } = request.params as { view: string };
      const parsed = parseLatestQuery(view, request.query as Record<string, unknown>);
      if (!parsed.ok) return sendClientError(reply, parsed.error);
      const { spec, keys, format } = parsed.request;
      const answer = await withTimeout(rows.latest({ view: spec.name, keys }), queryTimeoutMs);
      countRows(metrics, answer);
      const meta = {
        view: spec.name,
        boundaryMs: answer.boundaryMs,
        completeThroughMs: answer.completeThroughMs,
        provisionalAsOfMs: answer.provisionalAsOfMs,
      };
      return sendRendered(reply, renderRows(format, spec, answer.rows, meta));
    },
  );
}
