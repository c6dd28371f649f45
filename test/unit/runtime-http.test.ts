import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type JobHealth } from '../../src/processor/runtime/http-server.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { createMetrics } from '../../src/processor/runtime/metrics.ts';
import { resolveSettings } from '../../src/processor/runtime/settings.ts';
import { RunnerError } from '../../src/processor/runner/runner-error.ts';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(jobs: Record<string, JobHealth>, commitTimeoutSeconds?: number) {
  const metrics = createMetrics();
  metrics.rejected.inc({ job: 'auth', topic: 'lms.auth', reason: 'late' }, 3);
  const { server, url } = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    health: {
      jobs: () => jobs,
      stalledAfterSeconds: 30,
      ...(commitTimeoutSeconds === undefined ? {} : { commitTimeoutSeconds }),
    },
    registry: metrics.registry,
  });
  closers.push(() => server.close());
  return url;
}

describe('operations endpoints', () => {
  it('listens on 127.0.0.1 and answers healthy jobs with 200', async () => {
    const url = await serve({ auth: { state: 'running', lastCommitAgeSeconds: 1, lag: 0 } });
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', jobs: { auth: { lag: 0 } } });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('answers 503 when a job is down or has not committed for too long', async () => {
    const down = await serve({
      auth: { state: 'failed', lastCommitAgeSeconds: 1, lag: 0, problem: 'S3 unreachable' },
    });
    expect((await fetch(`${down}/healthz`)).status).toBe(503);
    expect((await fetch(`${down}/readyz`)).status).toBe(503);
    const stalled = await serve({ auth: { state: 'running', lastCommitAgeSeconds: 31, lag: 500 } });
    expect((await fetch(`${stalled}/healthz`)).status).toBe(503);
  });

  it('answers 503, saying why, while a commit has been in flight longer than the commit timeout', async () => {
    const running = { state: 'running', lastCommitAgeSeconds: 3, lag: 0 } as const;
    const hung = await serve({ auth: { ...running, commitInFlightSeconds: 11 } }, 10);
    const response = await fetch(`${hung}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'unhealthy',
      jobs: {
        auth: {
          problem: 'a commit has been in flight for 11 s (COMMIT_TIMEOUT 10 s): is the object store hanging?',
        },
      },
    });
    const slow = await serve({ auth: { ...running, commitInFlightSeconds: 10 } }, 10);
    expect((await fetch(`${slow}/healthz`)).status).toBe(200);
  });

  it('exports Prometheus metrics including rejections by reason', async () => {
    const url = await serve({});
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('speed_layer_events_rejected_total{job="auth",topic="lms.auth",reason="late"} 3');
    expect(text).toContain('# TYPE speed_layer_processing_latency_seconds histogram');
    expect(text).toContain('# TYPE speed_layer_job_failures_total counter');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter'); // the standard names stay
  });
});

describe('structured logs', () => {
  it('writes JSON lines and never writes credentials', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ format: 'json', destination });
    logger.info({ settings: { s3SecretAccessKey: 'hunter2', s3Bucket: 'bucket-0' } }, 'started');
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const entry = JSON.parse(lines.join(''));
    expect(entry).toMatchObject({
      msg: 'started',
      settings: { s3Bucket: 'bucket-0', s3SecretAccessKey: '****' },
    });
    expect(lines.join('')).not.toContain('hunter2');
  });
});

describe('the HTTP port of a second instance', () => {
  it('is refused with a clear error before any job joins its Kafka group', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as AddressInfo).port;
    const settings = resolveSettings({ env: {}, flags: { httpPort: String(port), logLevel: 'silent' } });
    const endpoints = {
      kafka: { brokers: ['127.0.0.1:1'] },
      s3: {
        endpoint: 'http://127.0.0.1:1',
        region: 'us-east-1',
        bucket: 'b',
        accessKeyId: 'k',
        secretAccessKey: 's',
      },
    } as unknown as StackEndpoints;

    const failure = await startJobs({ settings, endpoints, jobs: ['auth'] }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RunnerError);
    expect((failure as RunnerError).code).toBe('http_port');
    expect((failure as Error).message).toContain(`HTTP port ${port} on 127.0.0.1 is in use`);
  });
});
