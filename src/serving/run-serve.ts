/**
 * Wiring of `speed-layer serve`: the merge over the store, the metrics, the server listening. The bind
 * check comes first: without a token only a loopback address may be bound, unless the caller says
 * that an open API is meant. `close()` answers the requests in flight, then stops.
 */
import type { Logger } from 'pino';
import type { AlertRules } from '../alerts/alert-rules.ts';
import { AlertService } from '../alerts/alert-service.ts';
import type { BatchLayout } from '../batch/batch-layout.ts';
import type { ConnectionLimits } from '../shared/connection-limits.ts';
import type { StorageLayout } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { refusedBind } from './bearer-token.ts';
import { MergedRows } from './merged-rows.ts';
import { ProvisionalFeed, type ProvisionalFeedOptions } from './provisional-feed.ts';
import { createServeMetrics } from './serve-metrics.ts';
import { buildServeServer } from './serve-server.ts';

export interface ServeOptions {
  store: ObjectStore;
  layout: StorageLayout;
  batchLayout: BatchLayout;
  host: string;
  /** 0: any free port (the URL says which). */
  port: number;
  token?: string;
  allowUnauthenticated?: boolean;
  connections?: Partial<ConnectionLimits>;
  /** Base URL of the run process's health endpoints, shown by the dashboard (GET /v1/jobs). */
  jobsUrl?: string;
  /** Alert rules (serve --alerts FILE), evaluated in this process (docs/alerts.md). */
  alerts?: AlertRules;
  /** Kafka and the provisional topic: answers and streams then hold provisional rows (docs/serving.md). */
  provisional?: Pick<ProvisionalFeedOptions, 'kafka' | 'topic' | 'lookbackMs' | 'onApplied'>;
  logger: Logger;
}

export interface RunningServe {
  url: string;
  close(): Promise<void>;
}

export class ServeRefused extends Error {}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const refused = refusedBind(
    options.host,
    options.token !== undefined,
    options.allowUnauthenticated === true,
  );
  if (refused !== undefined) throw new ServeRefused(refused);
  const feed: ProvisionalFeed | undefined =
    options.provisional &&
    new ProvisionalFeed({
      ...options.provisional,
      completeThroughMs: (view): Promise<number> => rows.completeThroughMs(view),
      logger: options.logger,
    });
  const rows: MergedRows = new MergedRows(options.store, {
    layout: options.layout,
    batchLayout: options.batchLayout,
    ...(feed && { provisional: feed }),
  });
  const metrics = createServeMetrics();
  const { store, logger } = options;
  const alerts =
    options.alerts &&
    new AlertService({
      rules: options.alerts,
      rows,
      store,
      logger,
      registry: metrics.registry,
      ...(feed && { provisional: feed }),
    });
  const server = await buildServeServer({
    rows,
    metrics,
    ...(alerts && { alerts }),
    ...(feed && { provisional: feed }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    ...(options.jobsUrl === undefined ? {} : { jobsUrl: options.jobsUrl }),
    onUnexpectedError: (error, requestId) =>
      options.logger.error({ err: error, requestId }, 'request failed'),
  });
  await alerts?.start(); // the alert log read, the first round evaluated
  feed?.start();
  const url = await server.listen({ host: options.host, port: options.port });
  const close = async () => {
    await server.close();
    await feed?.close();
    await alerts?.stop();
  };
  return { url, close };
}
