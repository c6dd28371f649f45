/** An ingest server over fakes that record what it produces and dead-letters; closed when the test ends. */
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import type { IngestRejection, RejectionSink } from '../../src/ingest/dead-letter-writer.ts';
import type { EventSink, ProduceRecord } from '../../src/ingest/event-sink.ts';
import { createIngestMetrics } from '../../src/ingest/ingest-metrics.ts';
import { buildIngestServer, type IngestServerOptions } from '../../src/ingest/ingest-server.ts';

export type FakeOptions = Partial<Omit<IngestServerOptions, 'sink' | 'deadLetters' | 'metrics'>>;

/**
 * `state.failWith` makes the next sends fail, `state.ackAfter` holds them until it resolves (a slow
 * broker); `unexpected` collects what the server reported as a 500.
 */
export function startWithFakes(options: FakeOptions = {}) {
  const produced: ProduceRecord[] = [];
  const deadLetters: IngestRejection[] = [];
  const unexpected: unknown[] = [];
  const state = { failWith: undefined as Error | undefined, ackAfter: Promise.resolve() };
  const sink: EventSink = {
    send: async (records) => {
      await state.ackAfter;
      if (state.failWith) throw state.failWith;
      produced.push(...records);
    },
    close: async () => undefined,
  };
  const dead: RejectionSink = {
    write: async (rejections) => {
      deadLetters.push(...rejections);
    },
    close: async () => undefined,
  };
  const server = buildIngestServer({
    sink,
    deadLetters: dead,
    metrics: createIngestMetrics({ defaultMetrics: false }),
    clockMs: () => Date.UTC(2025, 0, 6, 9),
    onUnexpectedError: (error) => unexpected.push(error),
    ...options,
  });
  onTestFinished(() => server.close());
  return { server, produced, deadLetters, unexpected, state };
}

export function post(
  app: FastifyInstance,
  contentType: string,
  payload: string | Buffer,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/events',
    headers: { 'content-type': contentType, ...headers },
    payload,
  });
}

/** Produced values as text, for tests about which events went where rather than their bytes. */
export function producedTexts(produced: readonly ProduceRecord[]): string[] {
  return produced.map((record) => record.value.toString('utf8'));
}
