/**
 * The live dashboard of `speed-layer serve` (docs/dashboard.md): `/` is its page, `/dashboard/<file>` the
 * browser modules and styles of `public/` and `/dashboard/vendor/` uPlot from node_modules (no CDN, works
 * offline), and `/v1/jobs` the processor's health (jobs-route.ts). The files are read once, at
 * registration, into a table by name: a request names a file of that table or gets 404, so no path a
 * client sends ever reaches the file system. Each answer carries a strong ETag (304 on revalidation).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerJobsRoute, type JobsRouteOptions } from './jobs-route.ts';

export type DashboardOptions = JobsRouteOptions;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

function assetOf(path: string, cacheControl: string): Asset {
  const body = readFileSync(path);
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return { body, contentType: CONTENT_TYPES[extname(path)]!, etag: `"${digest}"`, cacheControl };
}

/** Every servable file by its URL path below /dashboard/. */
export function dashboardAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  // The app changes with the server: revalidate each load (a 304 costs one round trip).
  const publicDir = fileURLToPath(new URL('./public/', import.meta.url));
  for (const name of readdirSync(publicDir)) {
    if (CONTENT_TYPES[extname(name)] !== undefined)
      assets.set(name, assetOf(join(publicDir, name), 'no-cache'));
  }
  // uPlot's version is pinned in package.json; a day's caching is safe across restarts.
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
  for (const name of ['uPlot.esm.js', 'uPlot.min.css'])
    assets.set(`vendor/${name}`, assetOf(join(uplotDir, name), 'public, max-age=86400'));
  return assets;
}

/**
 * The page's policy: scripts, styles and requests from this origin only; the one inline script is the
 * import map (allowed by its hash). uPlot sizes its elements with inline styles.
 */
function contentSecurityPolicy(page: Buffer): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page.toString('utf8'))?.[1];
  const mapHash =
    importMap === undefined ? '' : ` 'sha256-${createHash('sha256').update(importMap).digest('base64')}'`;
  return [
    "default-src 'self'",
    `script-src 'self'${mapHash}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply
    .header('etag', asset.etag)
    .header('cache-control', asset.cacheControl)
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

export async function dashboardRoutes(server: FastifyInstance, options: DashboardOptions): Promise<void> {
  const assets = dashboardAssets();
  const page = assets.get('index.html');
  if (page === undefined) throw new Error('dashboard: public/index.html is missing');
  const policy = contentSecurityPolicy(page.body);

  server.get('/', { schema: { summary: 'The live dashboard (a page for browsers)' } }, (request, reply) =>
    send(
      request,
      reply.header('content-security-policy', policy).header('referrer-policy', 'no-referrer'),
      page,
    ),
  );
  server.get(
    '/dashboard/*',
    { schema: { summary: 'The dashboard’s scripts, styles and uPlot' } },
    (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      const asset = assets.get(name);
      if (asset === undefined || name === 'index.html')
        return reply.code(404).send({ error: 'not_found', message: `no dashboard file ${name}` });
      return send(request, reply, asset);
    },
  );
  registerJobsRoute(server, options);
}
