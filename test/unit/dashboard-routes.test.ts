/**
 * The dashboard's routes on a bare fastify: the page and its files with their content types, ETags and
 * caching; a path that is not one of the served files is 404 whatever its spelling; GET /v1/jobs empty
 * when not wired, proxied from a run process's /healthz and /metrics when it is, 502 when that is down.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../../src/dashboard/dashboard-routes.ts';
import { MergedRows } from '../../src/serving/merged-rows.ts';
import { createServeMetrics } from '../../src/serving/serve-metrics.ts';
import { buildServeServer } from '../../src/serving/serve-server.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';

const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function dashboard(options: { jobsUrl?: string; timeoutMs?: number } = {}): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  servers.push(server);
  await server.register(dashboardRoutes, options);
  return server;
}

/** A stand-in for `speed-layer run`'s health endpoints, on a free port. */
async function fakeRun(records: () => number): Promise<string> {
  const server = Fastify({ logger: false });
  servers.push(server);
  server.get('/healthz', async (_request, reply) =>
    reply.code(503).send({
      status: 'unhealthy',
      jobs: {
        auth: { state: 'running', lastCommitAgeSeconds: 2, lag: 0, caughtUp: true },
        video: { state: 'restarting', lastCommitAgeSeconds: null, lag: null, problem: 'kafka is down' },
      },
    }),
  );
  server.get('/metrics', async () =>
    [
      '# HELP speed_layer_records_ingested_total Records read from Kafka',
      '# TYPE speed_layer_records_ingested_total counter',
      `speed_layer_records_ingested_total{job="auth",topic="lms.auth"} ${records()}`,
      'speed_layer_events_rejected_total{job="auth",topic="lms.auth",reason="late"} 3',
      'speed_layer_events_rejected_total{job="auth",topic="lms.auth",reason="invalid"} 2',
    ].join('\n'),
  );
  return server.listen({ host: '127.0.0.1', port: 0 });
}

describe('the page and its files', () => {
  it('serves the page with its content type, a policy that allows its import map, and an ETag', async () => {
    const server = await dashboard();

    const page = await server.inject({ url: '/' });

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page.body)![1]!;
    const hash = createHash('sha256').update(importMap).digest('base64');
    expect(page.headers['content-security-policy']).toContain(`script-src 'self' 'sha256-${hash}'`);
    const again = await server.inject({ url: '/', headers: { 'if-none-match': String(page.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the modules, the styles and uPlot from node_modules with their types', async () => {
    const server = await dashboard();
    const answers = await Promise.all(
      [
        '/dashboard/main.js',
        '/dashboard/dashboard.css',
        '/dashboard/vendor/uPlot.esm.js',
        '/dashboard/vendor/uPlot.min.css',
      ].map((url) => server.inject({ url })),
    );

    expect(answers.map((answer) => [answer.statusCode, answer.headers['content-type']])).toEqual([
      [200, 'text/javascript; charset=utf-8'],
      [200, 'text/css; charset=utf-8'],
      [200, 'text/javascript; charset=utf-8'],
      [200, 'text/css; charset=utf-8'],
    ]);
    expect(answers[0]!.headers['x-content-type-options']).toBe('nosniff');
    expect(answers[2]!.headers['cache-control']).toBe('public, max-age=86400');
    expect(answers[2]!.body).toContain('export { uPlot as default }');
  });

  it.each([
    '/dashboard/%2e%2e/dashboard-routes.ts',
    '/dashboard/..%2fdashboard-routes.ts',
    '/dashboard/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/dashboard/vendor/..%2f..%2fpackage.json',
    '/dashboard//etc/passwd',
    '/dashboard/tsconfig.json',
    '/dashboard/index.html',
    '/dashboard/',
  ])('answers 404 for %s: only the served files are reachable', async (url) => {
    const server = await dashboard();

    const answer = await server.inject({ url });

    expect(answer.statusCode).toBe(404);
    expect(answer.body).not.toContain('compilerOptions');
  });
});

describe('GET /v1/jobs', () => {
  it('answers an empty list that says so when serve has no jobs URL', async () => {
    const server = await dashboard();

    const answer = await server.inject({ url: '/v1/jobs' });

    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ configured: false, status: null, jobs: [] });
  });

  it('proxies each job’s state, lag, commit age and dead letters, and a rate from the second read on', async () => {
    let records = 1000;
    const server = await dashboard({ jobsUrl: await fakeRun(() => records) });

    const first = (await server.inject({ url: '/v1/jobs' })).json();
    records = 1600;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = (await server.inject({ url: '/v1/jobs' })).json();

    expect(first).toMatchObject({ configured: true, status: 'unhealthy' });
    expect(first.jobs).toEqual([
      {
        job: 'auth',
        state: 'running',
        lag: 0,
        last_commit_age_s: 2,
        caught_up: true,
        records_per_s: null,
        dead_letters: { late: 3, invalid: 2 },
        problem: null,
      },
      {
        job: 'video',
        state: 'restarting',
        lag: null,
        last_commit_age_s: null,
        caught_up: null,
        records_per_s: null,
        dead_letters: {},
        problem: 'kafka is down',
      },
    ]);
    expect(second.jobs[0].records_per_s).toBeGreaterThan(0);
  });

  it('says the run process is unreachable when it does not answer in time', async () => {
    const silent = Fastify({ logger: false });
    servers.push(silent);
    silent.get('/*', () => new Promise(() => undefined));
    const jobsUrl = await silent.listen({ host: '127.0.0.1', port: 0 });
    const server = await dashboard({ jobsUrl, timeoutMs: 200 });

    const answer = await server.inject({ url: '/v1/jobs' });

    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      configured: true,
      status: 'unreachable',
      jobs: [],
      message: `${jobsUrl}/healthz: no answer within 200 ms`,
    });
    await silent.close().catch(() => undefined);
  });

  it('refuses a jobs URL that is not an http URL when it starts', async () => {
    await expect(dashboard({ jobsUrl: 'localhost:9464' })).rejects.toThrow(
      /jobsUrl: "localhost:9464" must be an http\(s\) URL/,
    );
    await expect(dashboard({ jobsUrl: 'not a url' })).rejects.toThrow(/is not a URL/);
  });
});

describe('inside serve', () => {
  it('leaves the page and its files open and asks /v1/jobs for the token like every /v1 route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    const server = await buildServeServer({
      rows: new MergedRows(new FileObjectStore(dir)),
      metrics: createServeMetrics({ defaultMetrics: false }),
      token: 's3cret',
    });
    servers.push(server);
    try {
      const [page, module, jobs, authorized] = await Promise.all([
        server.inject({ url: '/' }),
        server.inject({ url: '/dashboard/main.js' }),
        server.inject({ url: '/v1/jobs' }),
        server.inject({ url: '/v1/jobs', headers: { authorization: 'Bearer s3cret' } }),
      ]);

      expect([page.statusCode, module.statusCode, jobs.statusCode, authorized.statusCode]).toEqual([
        200, 200, 401, 200,
      ]);
      expect(page.body).toContain('<title>LMS live dashboard');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
