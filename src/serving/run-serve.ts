/**
 * Wiring of `speed-layer serve`: the merge over the store, the metrics, the server listening. The bind
 * check comes first: without a token only a loopback address may be bound, unless the caller says
 * that an open API is meant. `close()` answers the requests in flight, then stops.
 */
import type { Logger } from 'pino';
import type { BatchLayout } from '../batch/batch-layout.ts';
import type { ConnectionLimits } from '../shared/connection-limits.ts';
import type { StorageLayout } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { refusedBind } from './bearer-token.ts';
import { MergedRows } from './merged-rows.ts';
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
  const rows = new MergedRows(options.store, { layout: options.layout, batchLayout: options.batchLayout });
  const server = await buildServeServer({
    rows,
    metrics: createServeMetrics(),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    onUnexpectedError: (error, requestId) =>
      options.logger.error({ err: error, requestId }, 'request failed'),
  });
  const url = await server.listen({ host: options.host, port: options.port });
  return { url, close: () => server.close() };
}
