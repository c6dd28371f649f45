/**
 * Load benchmark of the HTTP edge (the http scenario of `npm run load`). Not a test: it reports numbers.
 *   npx tsx src/load/ingest-bench.ts [--duration 20] [--connections 16] [--events-per-request 250]
 *     [--no-coalesce] [--linger 0] [--invalid 0.01] [--results results]
 * Uses the stack named by the environment or starts one (startStack), runs the `speed-layer ingest` command
 * in a child process (`bin/speed-layer.js ingest`: its own event loop, as in production) and drives it
 * with autocannon, NDJSON bodies of generator
 * events. Prints requests/s, events/s, latency p50/p95/p99 (exact, from every response) and errors, and
 * writes results/ingest-<timestamp>.json with the machine and the parameters.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { generateRecords } from '../generator/generate-records.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { startStack } from '../stack/stack.ts';
import { envOfEndpoints } from '../stack/stack-exports.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
    'events-per-request': { type: 'string', default: '250' },
    'no-coalesce': { type: 'boolean', default: false },
    linger: { type: 'string', default: '0' },
    invalid: { type: 'string', default: '0.01' },
    results: { type: 'string', default: 'results' },
  },
});
const params = {
  durationS: Number(args.duration),
  connections: Number(args.connections),
  eventsPerRequest: Number(args['events-per-request']),
  coalesce: !args['no-coalesce'],
  lingerMs: Number(args.linger),
  invalidFraction: Number(args.invalid),
  distinctBodies: 40,
};

/** The part of autocannon's (untyped) API used here. */
interface AutocannonResult {
  requests: { total: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;
// autocannon ships no types; createRequire keeps the cast to the interface above in one place.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function bodies(): string[] {
  const records = generateRecords({
    seed: 7,
    users: 5000,
    userPrefix: `bench-${Date.now().toString(36)}`,
    startTimeMs: Date.now() - 3_600_000,
    faults: { invalid: params.invalidFraction, late: 0, duplicate: 0, future: 0 },
  });
  const wanted = params.eventsPerRequest * params.distinctBodies;
  const lines: string[] = [];
  for (const record of records) {
    if (lines.length >= wanted) break;
    // A body is text: the faults that are bytes (not UTF-8) or tombstones have no line in one.
    if (typeof record.value === 'string') lines.push(record.value.replaceAll('\n', ' '));
  }
  return Array.from({ length: params.distinctBodies }, (_, i) =>
    lines.slice(i * params.eventsPerRequest, (i + 1) * params.eventsPerRequest).join('\n'),
  );
}

async function startServer(endpoints: StackEndpoints) {
  const flags = ['--port', '0', '--log-level', 'warn', '--linger', String(params.lingerMs)];
  if (!params.coalesce) flags.push('--no-coalesce');
  const cli = new URL('../../bin/speed-layer.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, 'ingest', ...flags], {
    env: { ...process.env, ...envOfEndpoints(endpoints) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match !== null) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`ingest exited with ${code} before listening`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, stop };
}

/** Exact percentile of sorted values (nearest rank). */
function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
}

/** Mean records per sendBatch, from the server's histogram. */
async function meanBatchRecords(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = Number(/ingest_produce_batch_records_sum (\S+)/.exec(text)?.[1]);
  const count = Number(/ingest_produce_batch_records_count (\S+)/.exec(text)?.[1]);
  return sum / count;
}

async function bench(): Promise<void> {
  const stack = await startStack();
  const server = await startServer(stack.endpoints);
  try {
    const payloads = bodies();
    const meanBodyBytes = payloads.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / payloads.length;
    const latenciesMs: number[] = [];
    const statuses = new Map<number, number>();
    const instance = autocannon({
      url: `${server.url}/events`,
      connections: params.connections,
      duration: params.durationS,
      requests: payloads.map((body) => ({
        method: 'POST',
        path: '/events',
        headers: { 'content-type': 'application/x-ndjson' },
        body,
      })),
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      latenciesMs.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    const result = await instance;
    latenciesMs.sort((a, b) => a - b);
    const ok = statuses.get(200) ?? 0;
    const summary = {
      requestsPerS: Math.round(ok / result.duration),
      eventsPerS: Math.round((ok * params.eventsPerRequest) / result.duration),
      latencyMs: {
        p50: percentile(latenciesMs, 0.5),
        p95: percentile(latenciesMs, 0.95),
        p99: percentile(latenciesMs, 0.99),
        max: latenciesMs.at(-1) ?? NaN,
      },
      responses: Object.fromEntries(statuses),
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      meanRecordsPerSendBatch: Math.round(await meanBatchRecords(server.url)),
      requestBodyMiBPerS: Number(((ok * meanBodyBytes) / result.duration / 1024 ** 2).toFixed(2)),
    };
    const machine = {
      cores: availableParallelism(),
      cpu: cpus()[0]?.model,
      memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
      node: process.version,
      stack: stack.modes,
    };
    console.log(JSON.stringify({ params, summary }, null, 2));
    await mkdir(args.results, { recursive: true });
    const file = `${args.results}/ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    await writeFile(
      file,
      `${JSON.stringify({ when: new Date().toISOString(), machine, params, summary }, null, 2)}\n`,
    );
    console.log(`written ${file}`);
  } finally {
    await server.stop();
    await stack.stop();
  }
}

await bench();
