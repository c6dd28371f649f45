/**
 * The HTTP endpoint of `batch --every --http-port`: the runner's server (processor/runtime/http-server.ts,
 * reused as it is) on 127.0.0.1, with the reconciliation gauges on /metrics; its /healthz and /readyz
 * show one "job", `batch`, running until the loop is asked to stop.
 */
import type { Registry } from 'prom-client';
import { startHttpServer } from '../processor/runtime/http-server.ts';

export interface MetricsEndpoint {
  /** e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
}

export async function serveBatchMetrics(
  port: number,
  registry: Registry,
  running: () => boolean,
): Promise<MetricsEndpoint> {
  const health = {
    jobs: () => ({
      batch: {
        state: running() ? ('running' as const) : ('stopped' as const),
        lastCommitAgeSeconds: null,
        lag: null,
      },
    }),
    // A round may take long and rounds are far apart: the loop's liveness is all /healthz can say.
    stalledAfterSeconds: Infinity,
  };
  const { server, url } = await startHttpServer({ host: '127.0.0.1', port, health, registry });
  return { url, close: () => server.close() };
}
