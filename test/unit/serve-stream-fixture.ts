/**
 * A `serve` for the stream tests: a file store that an auth "instance" (query-fixture.ts) commits to, so
 * a test moves the completeness on when it wants; a provisional source it drives by hand; the server
 * listening on a free port, closed when the test finishes.
 */
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import type { ViewRow } from '../../src/events/view-dump.ts';
import type { TimeRange } from '../../src/serving/batch-source.ts';
import { MergedRows } from '../../src/serving/merged-rows.ts';
import type { ProvisionalChange, ProvisionalRows } from '../../src/serving/provisional-rows.ts';
import { createServeMetrics, type ServeMetrics } from '../../src/serving/serve-metrics.ts';
import { buildServeServer } from '../../src/serving/serve-server.ts';
import type { StreamLimits } from '../../src/serving/stream-routes.ts';
import { FakeInstance, refs, tempStore } from './query-fixture.ts';

/** Provisional rows set by the test; `emit` updates them and tells the listeners. */
export class HandProvisional implements ProvisionalRows {
  private readonly byView = new Map<string, ViewRow[]>();
  private readonly listeners = new Map<(change: ProvisionalChange) => void, (view: string) => boolean>();
  private asOf: number | null = null;

  rowsOf(view: string, range: TimeRange): ViewRow[] {
    return (this.byView.get(view) ?? []).filter((row) => {
      const startMs = Number(Object.values(row)[0]);
      return startMs >= range.fromMs && startMs < range.toMs;
    });
  }

  asOfMs(): number | null {
    return this.asOf;
  }

  onChange(listener: (change: ProvisionalChange) => void, wants?: (view: string) => boolean): () => void {
    this.listeners.set(listener, wants ?? (() => true));
    return () => this.listeners.delete(listener);
  }

  /** Whether a listener wants the changes of `view` now. */
  wanted(view: string): boolean {
    return [...this.listeners.values()].some((wants) => wants(view));
  }

  emit(change: ProvisionalChange): void {
    this.asOf = change.asOfMs;
    this.byView.set(change.view, change.rows);
    for (const [listener, wants] of this.listeners) if (wants(change.view)) listener(change);
  }
}

export interface StreamServer {
  url: string;
  port: number;
  server: FastifyInstance;
  metrics: ServeMetrics;
  /** The auth job's only instance: all six partitions of lms.auth. */
  auth: FakeInstance;
  errors: unknown[];
}

export async function streamServer(
  options: { token?: string; stream?: Partial<StreamLimits>; provisional?: ProvisionalRows } = {},
): Promise<StreamServer> {
  const { store, remove } = await tempStore();
  const metrics = createServeMetrics({ defaultMetrics: false });
  const errors: unknown[] = [];
  const server = await buildServeServer({
    rows: new MergedRows(store),
    metrics,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.provisional === undefined ? {} : { provisional: options.provisional }),
    stream: { pollIntervalMs: 50, ...options.stream },
    onUnexpectedError: (error) => errors.push(error),
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(async () => {
    await server.close();
    await remove();
  });
  const auth = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5));
  return { url, port: Number(new URL(url).port), server, metrics, auth, errors };
}

/** The value of a metric without labels (or summed over them). */
export async function metricValue(metric: {
  get(): Promise<{ values: { value: number }[] }>;
}): Promise<number> {
  return (await metric.get()).values.reduce((sum, { value }) => sum + value, 0);
}
