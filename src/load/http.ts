/**
 * Scenario 4, HTTP edge: ingest-bench.ts (the `speed-layer ingest` server in a child process
 * driven by autocannon) run as a child against this run's stack. Correctness: every request answered
 * 200 (events acked by Kafka or stored as dead letters), no errors or timeouts.
 */
import { spawn } from 'node:child_process';
import { envOfEndpoints } from '../stack/stack-exports.ts';
import type { Check, LoadContext, ScenarioResult } from './load-context.ts';
import { printTable, writeResults } from './report.ts';
import { siblingScriptArgs } from './sibling-script.ts';

interface IngestSummary {
  requestsPerS: number;
  eventsPerS: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  responses: Record<string, number>;
  errors: number;
  timeouts: number;
  non2xx: number;
  meanRecordsPerSendBatch: number;
}

function runBench(context: LoadContext): Promise<{ params: unknown; summary: IngestSummary }> {
  const script = siblingScriptArgs(import.meta.url, 'ingest-bench');
  const args = [
    '--duration',
    String(context.params.httpDurationMs / 1000),
    '--results',
    context.params.resultsDir,
  ];
  const child = spawn(process.execPath, [...script, ...args], {
    env: {
      ...process.env,
      ...envOfEndpoints(context.endpoints),
      PARTITIONS: String(context.endpoints.partitions),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const json = stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1);
      if (code !== 0 || json === '') reject(new Error(`ingest-bench exited with ${code}:\n${stdout}`));
      else resolve(JSON.parse(json) as { params: unknown; summary: IngestSummary });
    });
  });
}

export async function httpScenario(context: LoadContext): Promise<ScenarioResult> {
  const { params, summary } = await runBench(context);
  const answered = Object.values(summary.responses).reduce((sum, n) => sum + n, 0);
  const ok = summary.errors === 0 && summary.timeouts === 0 && summary.non2xx === 0 && answered > 0;
  printTable(
    'Scenario 4 — HTTP edge (POST /events, NDJSON, 1 % invalid)',
    ['measure', 'value'],
    [
      ['requests/s', summary.requestsPerS],
      ['events/s', summary.eventsPerS],
      [
        'latency p50 / p95 / p99 ms',
        [summary.latencyMs.p50, summary.latencyMs.p95, summary.latencyMs.p99].map(Math.round).join(' / '),
      ],
      ['records per sendBatch', summary.meanRecordsPerSendBatch],
      ['errors / timeouts / non-2xx', `${summary.errors} / ${summary.timeouts} / ${summary.non2xx}`],
    ],
  );
  const resultsFile = await writeResults(context.params, 'http', { benchParams: params, summary });
  const checks: Check[] = [
    {
      scenario: 'http',
      what: `every request answered 200 (${answered} requests)`,
      value: ok ? 'yes' : `errors ${summary.errors}, timeouts ${summary.timeouts}, non-2xx ${summary.non2xx}`,
      kind: 'correctness',
      pass: ok,
    },
    {
      scenario: 'http',
      what: 'events/s through the edge',
      value: summary.eventsPerS.toLocaleString('en-US'),
      kind: 'info',
      pass: true,
    },
  ];
  return { checks, resultsFile };
}
