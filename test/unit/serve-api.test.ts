/**
 * `serve` as a client meets it: the catalog, errors that say what is wrong, paging that continues
 * exactly where a page ended, formats, ETag revalidation, gzip, the bearer token (and that it is never
 * logged), the bind refusal, the OpenAPI document and /metrics. One store, servers on free ports.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import { servedStore, startTestServer, type ServedStore, type TestServer } from './serve-fixture.ts';

let served: ServedStore;
let server: TestServer;
const VIEW = 'auth_realtime_login_rate';
const RANGE = 'from=2025-01-06T23:30:00Z&to=2025-01-07T01:00:00Z';

beforeAll(async () => {
  served = await servedStore();
  server = await startTestServer(served.store);
});

afterAll(async () => {
  await server?.close();
  served?.remove();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

describe('the catalog and the rows of a view', () => {
  it('lists every view with its window, key columns and described columns', async () => {
    const body = (await (await get('/v1/views')).json()) as {
      views: { name: string; window: unknown; key_columns: string[]; columns: { description: string }[] }[];
    };
    expect(body.views.map((view) => view.name)).toEqual(VIEW_NAMES);
    const popular = body.views.find((view) => view.name === 'video_realtime_popular_videos')!;
    expect(popular.window).toEqual({ kind: 'tumbling', size_ms: 300_000 });
    expect(popular.key_columns).toEqual(['rank']);
    expect(popular.columns.every((column) => column.description.length > 0)).toBe(true);
  });

  it('says 404 with the list of views for an unknown view', async () => {
    const response = await get(`/v1/views/no_such_view?${RANGE}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'unknown_view', views: VIEW_NAMES });
  });

  it.each([
    ['a time that is not ISO-8601', 'from=yesterday&to=2025-01-07T01:00:00Z', 'from=yesterday'],
    ['a time without a zone', 'from=2025-01-06T23:30:00&to=2025-01-07T01:00:00Z', 'with a zone'],
    ['from not before to', 'from=2025-01-07T01:00:00Z&to=2025-01-07T01:00:00Z', 'must be before'],
    ['an unknown key column', `${RANGE}&course_id=c1`, 'unknown parameter course_id'],
    ['a limit over the maximum', `${RANGE}&limit=10001`, 'limit=10001'],
    ['a cursor of another query', `${RANGE}&cursor=bm90LWEtY3Vyc29y`, 'cursor'],
  ])('says 400 for %s, naming it', async (_case, query, words) => {
    const response = await get(`/v1/views/${VIEW}?${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain(words);
  });

  it('pages with a cursor: the next page starts exactly after the last row of the first', async () => {
    const all = (await (await get(`/v1/views/${VIEW}?${RANGE}`)).json()) as {
      rows: unknown[];
      page: { next_cursor: null };
    };
    expect(all.rows.length).toBeGreaterThan(14);
    expect(all.page.next_cursor).toBeNull();
    const first = (await (await get(`/v1/views/${VIEW}?${RANGE}&limit=7`)).json()) as {
      rows: unknown[];
      page: { next_cursor: string };
    };
    expect(first.rows).toEqual(all.rows.slice(0, 7));
    const cursor = encodeURIComponent(first.page.next_cursor);
    const second = (await (await get(`/v1/views/${VIEW}?${RANGE}&limit=7&cursor=${cursor}`)).json()) as {
      rows: unknown[];
    };
    expect(second.rows).toEqual(all.rows.slice(7, 14));
  });

  it('filters on key columns and serves both sources, labelled', async () => {
    const body = (await (await get(`/v1/views/video_realtime_popular_videos?${RANGE}&rank=1`)).json()) as {
      rows: { rank: number; source: string; is_final: boolean }[];
    };
    expect(body.rows.length).toBeGreaterThan(0);
    expect(body.rows.every((row) => row.rank === 1 && row.is_final)).toBe(true);
    expect(new Set(body.rows.map((row) => row.source))).toEqual(new Set(['batch', 'speed']));
  });

  it('answers csv and ndjson with the same rows, boundary and completeness in headers', async () => {
    const json = (await (await get(`/v1/views/${VIEW}?${RANGE}`)).json()) as {
      rows: Record<string, unknown>[];
    };
    const ndjson = await get(`/v1/views/${VIEW}?${RANGE}&format=ndjson`);
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson');
    expect(ndjson.headers.get('x-boundary')).toBe('2025-01-07T00:00:00.000Z');
    const lines = (await ndjson.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual(json.rows);
    const csv = (await (await get(`/v1/views/${VIEW}?${RANGE}&format=csv`)).text()).trim().split('\r\n');
    expect(csv[0]).toBe(
      'window_start,window_end,login_attempts,login_successes,login_failures,success_rate,source,is_final',
    );
    expect(csv).toHaveLength(json.rows.length + 1);
  });

  it('gives the latest window’s rows', async () => {
    const body = (await (await get(`/v1/views/${VIEW}/latest`)).json()) as {
      rows: { window_start: string; source: string }[];
    };
    expect(body.rows).toHaveLength(1); // a view without keys: one row per window
    const all = (await (
      await get(`/v1/views/${VIEW}?from=2025-01-06T00:00:00Z&to=2025-01-08T00:00:00Z`)
    ).json()) as { rows: { window_start: string }[] };
    expect(body.rows[0]!.window_start).toBe(all.rows.at(-1)!.window_start);
  });
});

describe('speed-layer query --source all', () => {
  it('prints the rows the API answers (one merge for both), with the split by source on stderr', async () => {
    const api = (await (await get(`/v1/views/${VIEW}?${RANGE}&format=ndjson`)).text()).trim().split('\n');
    const root = pathToFileURL(served.store.rootDir).href;
    const { stdout, stderr } = await promisify(execFile)(
      'node',
      [
        'bin/speed-layer.js',
        'query',
        VIEW,
        '--source',
        'all',
        '--from',
        '2025-01-06T23:30:00Z',
        '--to',
        '2025-01-07T01:00:00Z',
        '--root',
        root,
      ],
      { env: { PATH: process.env.PATH }, timeout: 110_000 },
    );
    const withoutLabels = (line: string) => {
      const { source: _source, is_final: _final, ...row } = JSON.parse(line) as Record<string, unknown>;
      return row;
    };
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(api.map(withoutLabels));
    expect(stderr).toMatch(/batch, \d+ speed\).*boundary 2025-01-07T00:00:00.000Z/);
  });
});

describe('caching and compression', () => {
  it('tags a settled answer and says 304 when the tag still matches', async () => {
    const path = `/v1/views/${VIEW}?from=2025-01-06T23:30:00Z&to=2025-01-07T00:00:00Z`; // wholly batch
    const first = await get(path);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    const again = await get(path, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('gzips a large answer for a client that accepts it', async () => {
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        const url = new URL(`${server.url}/v1/views/${VIEW}?${RANGE}`);
        httpRequest(url, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      },
    );
    expect(headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(body).toString('utf8'))).toHaveProperty('rows');
  });
});

describe('the bearer token and the bind check', () => {
  it('asks /v1 requests for the token, compares it, and never logs it', async () => {
    const token = 'serve-test-token-7f3a9c';
    const guarded = await startTestServer(served.store, { token });
    try {
      const at = (headers: Record<string, string>) => fetch(`${guarded.url}/v1/views`, { headers });
      expect((await at({})).status).toBe(401);
      expect((await at({ authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await at({ authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
      expect(guarded.logs()).not.toContain(token);
    } finally {
      await guarded.close();
    }
  });

  it('refuses a non-loopback host without a token, in one line', async () => {
    await expect(startTestServer(served.store, { host: '0.0.0.0' })).rejects.toThrow(
      /^serve: refusing to listen on 0\.0\.0\.0 without a token: set SERVE_TOKEN, or pass --allow-unauthenticated$/,
    );
  });
});

describe('the description and the operations endpoints', () => {
  it('publishes an OpenAPI 3 document of its routes and a page of it', async () => {
    const document = (await (await get('/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/views',
        '/v1/views/{view}',
        '/v1/views/{view}/latest',
        '/healthz',
        '/readyz',
        '/metrics',
      ]),
    );
    const page = await get('/v1/docs');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/v1/views/{view}/latest');
  });

  it('is ready when the store answers, and counts requests by route and rows by source', async () => {
    expect((await get('/readyz')).status).toBe(200);
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(
      /speed_layer_serve_requests_total\{route="\/v1\/views\/:view",status="200"\} \d+/,
    );
    expect(metrics).toMatch(/speed_layer_serve_rows_total\{source="batch"\} \d+/);
    expect(metrics).toContain('speed_layer_serve_request_duration_seconds_bucket');
  });
});
