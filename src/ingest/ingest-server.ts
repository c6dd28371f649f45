/**
 * The HTTP edge: `POST /events` with a JSON array (application/json) or one event per line
 * (application/x-ndjson). Valid events are produced to Kafka and invalid ones dead-lettered, both
 * before the answer, so a 200 means every event of the body is either acknowledged by the broker or
 * stored as a dead letter. 200 also when some events were rejected: the body lists them (like a bulk
 * API); 400 only when the body as a whole is unusable; 413 over the size limit; 415 for other types;
 * 503 when Kafka or the store failed (retry the request; duplicates are dropped downstream by event_id).
 * Plus `/healthz` and `/metrics`. Built without listening, so tests drive it with `inject`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { IngestRejection, RejectionSink } from './dead-letter-writer.ts';
import type { EventSink, ProduceRecord } from './event-sink.ts';
import { ingestBatch } from './ingest-batch.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { DEFAULT_BODY_LIMIT_BYTES, type BodyFormat } from './parse-body.ts';

export interface IngestServerOptions {
  sink: EventSink;
  deadLetters: RejectionSink;
  metrics: IngestMetrics;
  /** Largest accepted body; larger ones get 413 unread. Default 5 MiB. */
  bodyLimitBytes?: number;
  clockMs?: () => number;
  /** Called with failures of Kafka or the store (the client gets 503). */
  onFailure?: (error: unknown, requestId: string) => void;
}

interface RawBody {
  format: BodyFormat;
  text: string;
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
  const server = Fastify({
    logger: false,
    bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  let closing = false;
  server.addHook('onClose', async () => {
    closing = true;
  });

  // Only our two types: anything else is 415 (fastify's own error, shaped by the handler below).
  server.removeAllContentTypeParsers();
  for (const [type, format] of Object.entries(CONTENT_TYPES)) {
    server.addContentTypeParser(type, { parseAs: 'string', bodyLimit }, (_request, text, done) => {
      done(null, { format, text: text as string } satisfies RawBody);
    });
  }

  server.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const message = `body is over the ${bodyLimit}-byte limit: split it into smaller requests`;
      return reply.code(413).send({ error: 'body_too_large', message, limitBytes: bodyLimit });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      const message = `content type must be ${Object.keys(CONTENT_TYPES).join(' or ')}`;
      return reply.code(415).send({ error: 'unsupported_media_type', message });
    }
    return reply
      .code(status)
      .send({ error: status >= 500 ? 'internal' : 'bad_request', message: error.message });
  });

  server.addHook('onResponse', async (request, reply) => {
    if (request.url === '/events') metrics.requests.inc({ status: String(reply.statusCode) });
  });

  server.post('/events', async (request, reply) => {
    const raw = request.body as RawBody | undefined;
    const context = { requestId: request.id, receivedMs: clockMs() };
    const stopTimer = metrics.requestDuration.startTimer();
    const batch = ingestBatch(raw?.format ?? 'ndjson', raw?.text ?? '', context);
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
    reply.code(closing ? 503 : 200).send({ status: closing ? 'draining' : 'ok' }),
  );
  server.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return server;
}
