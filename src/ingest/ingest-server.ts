/**
 * The HTTP edge: `POST /events` with a JSON array (application/json) or one event per line
 * (application/x-ndjson). Valid events are produced to Kafka and invalid ones dead-lettered, both
 * before the answer, so a 200 means every event of the body is either acknowledged by the broker or
 * stored as a dead letter. 200 also when some events were rejected: the body lists them (like a bulk
 * API); 400 only when the body as a whole is unusable; 413 over the size limit (gzip bodies: decoded);
 * 415 for other types or encodings; 408 from Node for clients too slow (connection-limits.ts); 503 when
 * Kafka or the store failed (retry the request; duplicates are dropped downstream by event_id); 500,
 * with a generic message, for anything unexpected. Plus `/healthz` and `/metrics`. Built without
 * listening, so tests drive it with `inject`.
 */
import type { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { connectionLimits, type ConnectionLimits } from '../shared/connection-limits.ts';
import { limitedFastify } from '../shared/limited-fastify.ts';
import type { IngestRejection, RejectionSink } from './dead-letter-writer.ts';
import type { EventSink, ProduceRecord } from './event-sink.ts';
import { ingestBatch } from './ingest-batch.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { DEFAULT_BODY_LIMIT_BYTES, type BodyFormat } from './parse-body.ts';
import { IngestBodyError, readIngestBody } from './read-ingest-body.ts';

export interface IngestServerOptions {
  sink: EventSink;
  deadLetters: RejectionSink;
  metrics: IngestMetrics;
  /** Largest accepted body, after gunzip; larger ones get 413. Default 5 MiB. */
  bodyLimitBytes?: number;
  /** Timeouts and the connection cap; unset ones take DEFAULT_CONNECTION_LIMITS. */
  connections?: Partial<ConnectionLimits>;
  clockMs?: () => number;
  /** Called with failures of Kafka or the store (the client gets 503). */
  onFailure?: (error: unknown, requestId: string) => void;
  /** Called with any other error (the client gets 500 and a message that names nothing internal). */
  onUnexpectedError?: (error: unknown, requestId: string) => void;
}

interface RawBody {
  format: BodyFormat;
  bytes: Buffer;
}

const CONTENT_TYPES: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
};

/** One counter increment per (topic, outcome) and request rather than per event. */
function countEvents(
  metrics: IngestMetrics,
  records: readonly ProduceRecord[],
  rejections: readonly IngestRejection[],
): void {
  const counts = new Map<string, number>();
  for (const record of records)
    counts.set(`accepted ${record.topic}`, (counts.get(`accepted ${record.topic}`) ?? 0) + 1);
  for (const { topic } of rejections)
    counts.set(`rejected ${topic ?? 'none'}`, (counts.get(`rejected ${topic ?? 'none'}`) ?? 0) + 1);
  for (const [label, count] of counts) {
    const [outcome, topic] = label.split(' ') as [string, string];
    metrics.events.inc({ topic, outcome }, count);
  }
}

export function buildIngestServer(options: IngestServerOptions): FastifyInstance {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const clockMs = options.clockMs ?? Date.now;
  const { metrics } = options;
  const limits = connectionLimits(options.connections);
  const { server, closing } = limitedFastify(limits, { bodyLimit });

  // Only our two types: anything else is 415 (fastify's own error, shaped by the handler below). The
  // body is read as bytes, gunzipped if need be: NDJSON lines go to Kafka as they came.
  server.removeAllContentTypeParsers();
  for (const [type, format] of Object.entries(CONTENT_TYPES)) {
    server.addContentTypeParser(
      type,
      async (request: FastifyRequest, payload: Readable): Promise<RawBody> => ({
        format,
        bytes: await readIngestBody(payload, request.headers, bodyLimit),
      }),
    );
  }

  server.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof IngestBodyError) {
      const limit = error.code === 'body_too_large' ? { limitBytes: bodyLimit } : {};
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, ...limit });
    }
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      const message = `content type must be ${Object.keys(CONTENT_TYPES).join(' or ')}`;
      return reply.code(415).send({ error: 'unsupported_media_type', message });
    }
    if (status < 500) return reply.code(status).send({ error: 'bad_request', message: error.message });
    // Its message may name internals (paths, hosts, a stack overflow): the log gets it, the client not.
    options.onUnexpectedError?.(error, request.id);
    const message = `internal error: the server log has the details (requestId ${request.id})`;
    return reply.code(status).send({ error: 'internal', message, requestId: request.id });
  });

  server.addHook('onResponse', async (request, reply) => {
    if (request.url === '/events') metrics.requests.inc({ status: String(reply.statusCode) });
  });

  server.post('/events', async (request, reply) => {
    const raw = request.body as RawBody | undefined;
    const context = { requestId: request.id, receivedMs: clockMs() };
    const stopTimer = metrics.requestDuration.startTimer();
    const batch = ingestBatch(raw?.format ?? 'ndjson', raw?.bytes ?? Buffer.alloc(0), context);
    try {
      if (!batch.ok) {
        if (batch.rejection !== null) await options.deadLetters.write([batch.rejection]);
        return await reply.code(400).send({
          error: batch.rule === 'empty' ? 'empty_body' : 'unparseable_body',
          message: batch.message,
          requestId: context.requestId,
        });
      }
      await Promise.all([options.sink.send(batch.records), options.deadLetters.write(batch.rejections)]);
      countEvents(metrics, batch.records, batch.rejections);
      return await reply.code(200).send({
        requestId: context.requestId,
        accepted: batch.records.length,
        rejected: batch.rejections.length,
        errors: batch.errors,
      });
    } catch (error) {
      options.onFailure?.(error, context.requestId);
      const message = `events not stored (${(error as Error).message}); retry the request`;
      return await reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: 'unavailable', message, requestId: context.requestId });
    } finally {
      stopTimer();
    }
  });

  server.get('/healthz', async (_request, reply) =>
    reply.code(closing() ? 503 : 200).send({ status: closing() ? 'draining' : 'ok' }),
  );
  server.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return server;
}
