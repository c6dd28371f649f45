/**
 * Scenario: serving. A day of data published by the five jobs' run loops in-process (serving-data.ts:
 * a file:// store, no Kafka), `serve` in this process on a free port, then (1) autocannon at N concurrent
 * clients asking GET /v1/views/{view}?from&to for random views and ranges of the day (p50/p99,
 * requests/s, errors), and (2) M Server-Sent-Events subscribers while the next records are published at
 * the run's rate: how long after a completion is visible in storage its `final` event arrives, dropped
 * clients, memory; then (3) autocannon again once the day is closed, its rows in the LRU. autocannon runs
 * in the server's process: its latencies include the client's share of the event loop.
 */
import { createRequire } from 'node:module';
import { JOBS, type JobName } from '../events/topics.ts';
import { VIEW_NAMES, viewSpec } from '../events/view-catalog.ts';
import { CompletenessReader } from '../processor/query/completeness.ts';
import { MergedRows } from '../serving/merged-rows.ts';
import { DEFAULT_LAYOUT } from '../storage/layout.ts';
import { createServeMetrics } from '../serving/serve-metrics.ts';
import { buildServeServer } from '../serving/serve-server.ts';
import type { Check, LoadContext, ScenarioResult } from './load-context.ts';
import { printTable, writeResults } from './report.ts';
import { ResourceMeter, round } from './resource-meter.ts';
import { ServingData } from './serving-data.ts';
import { streamPath } from './serve-probe.ts';
import { quantile } from './sse-clients.ts';
import { SseSubscriber } from './sse-subscriber.ts';

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: Record<string, unknown>) => PromiseLike<AutocannonResult>;
// autocannon ships no types; createRequire keeps the cast to the interface above in one place.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const DAY_START_MS = Date.UTC(2025, 0, 6);
const MINUTE_MS = 60_000;
const CLIENTS = [16, 64];

function settings(quick: boolean, ratePerS: number) {
  return {
    users: quick ? 20 : 100, // ~78k / ~390k records in the day
    cannonS: quick ? 5 : 20,
    subscribers: quick ? 20 : 50,
    liveS: quick ? 10 : 30,
    ratePerS,
  };
}

/** A random view and a range of 5 min to 2 h of window starts inside the day. */
function randomPath(): string {
  const view = VIEW_NAMES[Math.floor(Math.random() * VIEW_NAMES.length)]!;
  const fromMs = DAY_START_MS + Math.floor(Math.random() * 22 * 60) * MINUTE_MS;
  const toMs = fromMs + (5 + Math.floor(Math.random() * 115)) * MINUTE_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  return `/v1/views/${view}?from=${iso(fromMs)}&to=${iso(toMs)}`;
}

async function cannon(url: string, connections: number, seconds: number, day: 'open' | 'closed') {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (request: object) => ({ ...request, path: randomPath() }) }],
  });
  return {
    clients: connections,
    day,
    requests: result.requests.total,
    requestsPerS: round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function live(
  url: string,
  data: ServingData,
  config: ReturnType<typeof settings>,
  stackPids: readonly number[],
) {
  const subscribers = Array.from(
    { length: config.subscribers },
    (_, i) => new SseSubscriber(`${url}${streamPath(i)}`),
  );
  await Promise.all(subscribers.map((subscriber) => subscriber.started));
  const meter = new ResourceMeter(stackPids);
  // When each job's complete_through was first seen in storage (read every 50 ms beside the feed): a
  // final event's latency is measured from it.
  const seenAt = new Map<JobName, Map<number, number>>(JOBS.map((job) => [job, new Map()]));
  const reader = new CompletenessReader(data.store, DEFAULT_LAYOUT);
  let feeding = true;
  const watching = (async () => {
    while (feeding) {
      for (const job of JOBS) {
        const completeMs = (await reader.read(job)).watermarkMs;
        const nowMs = performance.timeOrigin + performance.now();
        if (!seenAt.get(job)!.has(completeMs)) seenAt.get(job)!.set(completeMs, nowMs);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const startedMs = performance.now();
  let records = 0;
  for (let second = 0; second < config.liveS && data.more; second++) {
    const tickMs = performance.now();
    const before = data.fed;
    await data.step(config.ratePerS);
    records += data.fed - before;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - tickMs))));
  }
  const feedS = (performance.now() - startedMs) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 3000)); // the last polls and events
  feeding = false;
  await watching;
  const resources = meter.stop();
  const closedByServer = subscribers.filter((subscriber) => subscriber.closedBy !== undefined).length;
  for (const subscriber of subscribers) subscriber.close();
  const latencies: number[] = [];
  let finals = 0;
  let rows = 0;
  for (const subscriber of subscribers)
    for (const final of subscriber.finals) {
      finals++;
      rows += final.rows;
      const seenMs = seenAt.get(viewSpec(final.view).job)!.get(final.completeThroughMs);
      if (seenMs !== undefined) latencies.push(Math.max(0, final.receivedMs - seenMs));
    }
  latencies.sort((a, b) => a - b);
  return {
    subscribers: config.subscribers,
    recordsPerS: Math.round(records / feedS),
    records,
    finals,
    rows,
    provisional: subscribers.reduce((sum, subscriber) => sum + subscriber.provisional, 0),
    latencyP50Ms: quantile(latencies, 0.5),
    latencyP99Ms: quantile(latencies, 0.99),
    closedByServer,
    inOrder: subscribers.every((subscriber) => subscriber.inOrder),
    resources,
  };
}

export async function servingScenario(context: LoadContext): Promise<ScenarioResult> {
  const config = settings(context.params.quick, context.params.ratePerS);
  const data = await ServingData.create({
    dayStartMs: DAY_START_MS,
    users: config.users,
    liveRecords: config.ratePerS * config.liveS,
  });
  try {
    const say = (line: string) => process.stderr.write(`serving: ${line}\n`);
    say(`publishing a day of ${config.users} users' records (five jobs in-process, file:// store)`);
    const publishStartedMs = performance.now();
    const dayRecords = await data.publishDay();
    const publishS = round((performance.now() - publishStartedMs) / 1000, 1);
    say(`${dayRecords} records published in ${publishS} s`);
    const metrics = createServeMetrics();
    const server = await buildServeServer({ rows: new MergedRows(data.store), metrics });
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const runs: Awaited<ReturnType<typeof cannon>>[] = [];
    let stream: Awaited<ReturnType<typeof live>>;
    let dropped: number;
    try {
      for (const clients of CLIENTS) {
        say(`autocannon, ${clients} clients, ${config.cannonS} s`);
        runs.push(await cannon(url, clients, config.cannonS, 'open'));
      }
      say(`${config.subscribers} SSE subscribers, ${config.ratePerS} records/s for ${config.liveS} s`);
      stream = await live(url, data, config, context.stackPids);
      dropped = (await metrics.streamDroppedClients.get()).values[0]?.value ?? 0;
      // Now complete_through is far past the day: its rows come from the LRU (speed-source.ts).
      const clients = CLIENTS.at(-1)!;
      say(`autocannon, ${clients} clients, ${config.cannonS} s, the day closed`);
      runs.push(await cannon(url, clients, config.cannonS, 'closed'));
    } finally {
      await server.close();
    }
    return await report(context, { config, dayRecords, publishS, runs, stream, dropped });
  } finally {
    await data.remove();
  }
}

async function report(
  context: LoadContext,
  result: {
    config: ReturnType<typeof settings>;
    dayRecords: number;
    publishS: number;
    runs: Awaited<ReturnType<typeof cannon>>[];
    stream: Awaited<ReturnType<typeof live>>;
    dropped: number;
  },
): Promise<ScenarioResult> {
  const { config, runs, stream, dropped } = result;
  printTable(
    `Scenario — serving: GET /v1/views/{view}?from&to, random views and ranges of a day (${result.dayRecords.toLocaleString('en-US')} records, published in ${result.publishS} s), ${config.cannonS} s per run`,
    ['clients', 'day', 'requests', 'requests/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx'],
    runs.map((run) => [
      run.clients,
      run.day === 'open' ? 'open (not all complete)' : 'closed (cached)',
      run.requests,
      run.requestsPerS,
      run.p50Ms,
      run.p99Ms,
      run.maxMs,
      run.errors,
      run.non2xx,
    ]),
  );
  printTable(
    `Scenario — serving: ${stream.subscribers} SSE subscribers while ${stream.records.toLocaleString('en-US')} records are published over ${config.liveS} s`,
    ['measure', 'value'],
    [
      ['records/s published (asked)', `${stream.recordsPerS} (${config.ratePerS})`],
      ['final events / rows received', `${stream.finals} / ${stream.rows}`],
      [
        'completion → final event p50 / p99 ms',
        `${Math.round(stream.latencyP50Ms ?? NaN)} / ${Math.round(stream.latencyP99Ms ?? NaN)}`,
      ],
      ['dropped clients / closed by the server', `${dropped} / ${stream.closedByServer}`],
      ['RSS start → peak MiB', `${stream.resources.startRssMiB} → ${stream.resources.peakRssMiB}`],
      ['cpu cores (this process)', stream.resources.cores],
    ],
  );
  const resultsFile = await writeResults(context.params, 'serving', result);
  const answered = runs.every((run) => run.errors === 0 && run.non2xx === 0 && run.requests > 0);
  const checks: Check[] = [
    {
      scenario: 'serving',
      what: `GET /v1/views answered 200 at ${CLIENTS.join(' and ')} clients`,
      value: answered
        ? 'yes'
        : runs.map((run) => `${run.clients}: ${run.errors} errors, ${run.non2xx} non-2xx`).join('; '),
      kind: 'correctness',
      pass: answered,
    },
    ...runs.map((run): Check => ({
      scenario: 'serving',
      what: `p50 / p99 ms at ${run.clients} clients, day ${run.day} (requests/s)`,
      value: `${run.p50Ms} / ${run.p99Ms} (${run.requestsPerS})`,
      kind: 'info',
      pass: true,
    })),
    {
      scenario: 'serving',
      what: `SSE: finals arrived, in order, none repeated (${stream.finals} events)`,
      value: stream.inOrder && stream.finals > stream.subscribers ? 'yes' : 'NO',
      kind: 'correctness',
      pass: stream.inOrder && stream.finals > stream.subscribers,
    },
    {
      scenario: 'serving',
      what: `SSE: no subscriber dropped or closed (${stream.subscribers})`,
      value: `${dropped} dropped, ${stream.closedByServer} closed`,
      kind: 'target',
      pass: dropped === 0 && stream.closedByServer === 0,
    },
    {
      scenario: 'serving',
      what: 'SSE: completion → final event p50 / p99 ms',
      value: `${Math.round(stream.latencyP50Ms ?? NaN)} / ${Math.round(stream.latencyP99Ms ?? NaN)}`,
      kind: 'info',
      pass: true,
    },
  ];
  return { checks, resultsFile };
}
