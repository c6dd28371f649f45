/**
 * The scale-out scenario's figures per k: commits per second, conflicts per commit, re-staged bytes,
 * commit latency p50/p99 and object-store requests per second by S3 billing kind, as one table (stdout and
 * the results JSON) and the summary's checks.
 */
import type { Check, ScenarioResult } from './load-context.ts';
import type { LoadParams } from './load-params.ts';
import { printTable, writeResults } from './report.ts';
import type { StoreOperation } from './counting-store.ts';
import { round } from './resource-meter.ts';

/** How S3 bills the store's operations: CopyObject is a PUT, HEAD a GET; DELETE is free. */
const KIND_OF: Record<StoreOperation, 'put' | 'list' | 'get' | 'delete'> = {
  put: 'put',
  putIfAbsent: 'put',
  copy: 'put',
  list: 'list',
  get: 'get',
  exists: 'get',
  delete: 'delete',
};

export type RequestKinds = Record<'put' | 'list' | 'get' | 'delete' | 'total', number>;

/** Requests per second by billing kind, from counts by operation over `elapsedMs`. */
export function requestsPerSecond(counts: ReadonlyMap<string, number>, elapsedMs: number): RequestKinds {
  const rates: RequestKinds = { put: 0, list: 0, get: 0, delete: 0, total: 0 };
  for (const [operation, n] of counts) {
    const kind = KIND_OF[operation as StoreOperation];
    if (kind === undefined) continue;
    rates[kind] += n / (elapsedMs / 1000);
    rates.total += n / (elapsedMs / 1000);
  }
  for (const kind of Object.keys(rates) as (keyof RequestKinds)[]) rates[kind] = round(rates[kind], 1);
  return rates;
}

/** The commits of one measured window, as the committers or their log lines gave them. */
export interface CommitFigures {
  durationMs: number;
  attempts: number;
  conflicts: number;
  restagedBytes: number;
  checkpointBytes: number;
}

export interface KRow {
  /** `s3 processes`, `s3 protocol`, `file protocol`. */
  setup: string;
  k: number;
  commitsPerS: number;
  conflictsPerCommit: number;
  restagedKiBPerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxAttempts: number;
  checkpointKiB: number;
  requestsPerS: RequestKinds;
  /** Processes only: join and leave of one instance, ms from the group's move to every mover committing. */
  joinMs?: number | null;
  leaveMs?: number | null;
  /** Processes only: cores the instances (and the Kafka and S3 JVMs, the generator) kept busy. */
  instanceCores?: number;
  otherCores?: number;
  rssMiBPerInstance?: number;
  /** Auth records per second the instances read in the window. */
  recordsPerS?: number;
  /** The machine's 1-minute load average at the end of the window (other work shares the 2 cores). */
  loadAverage?: number;
  /** Fences, failures and rebalances seen in the window (should be none). */
  problems: string[];
}

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The commit columns of a row from the window's commits. */
export function commitColumns(commits: readonly CommitFigures[], elapsedMs: number) {
  const n = commits.length;
  const sum = (pick: (c: CommitFigures) => number) => commits.reduce((s, c) => s + pick(c), 0);
  const durations = commits.map((c) => c.durationMs);
  return {
    commitsPerS: round(n / (elapsedMs / 1000), 2),
    conflictsPerCommit: n === 0 ? 0 : round(sum((c) => c.conflicts) / n, 3),
    restagedKiBPerS: round(sum((c) => c.restagedBytes) / 1024 / (elapsedMs / 1000), 1),
    p50Ms: quantile(durations, 0.5),
    p99Ms: quantile(durations, 0.99),
    maxAttempts: Math.max(0, ...commits.map((c) => c.attempts)),
    checkpointKiB: n === 0 ? 0 : round(sum((c) => c.checkpointBytes) / n / 1024, 1),
  };
}

const roundMs = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms));

export async function reportScaleOut(
  params: LoadParams,
  setup: Record<string, unknown>,
  rows: readonly KRow[],
  failures: readonly string[],
): Promise<ScenarioResult> {
  printTable(
    `Scale-out: one job (auth), k instances, ${
      params.commitGroups === 1
        ? 'one shared commit log'
        : `a commit log per partition group (${params.commitGroups}; a commit: one group's checkpoint)`
    }, commit interval 1 s`,
    [
      'setup',
      'k',
      'commits/s',
      'conflicts/commit',
      're-staged KiB/s',
      'p50 ms',
      'p99 ms',
      'max tries',
      'ckpt KiB',
      'PUT/s',
      'LIST/s',
      'GET/s',
      'DELETE/s',
      'join ms',
      'leave ms',
      'auth rec/s',
      'cores (inst/other)',
      'RSS MiB/inst',
      'load 1m',
      'problems',
    ],
    rows.map((row) => [
      row.setup,
      row.k,
      row.commitsPerS,
      row.conflictsPerCommit,
      row.restagedKiBPerS,
      roundMs(row.p50Ms),
      roundMs(row.p99Ms),
      row.maxAttempts,
      row.checkpointKiB,
      row.requestsPerS.put,
      row.requestsPerS.list,
      row.requestsPerS.get,
      row.requestsPerS.delete,
      roundMs(row.joinMs),
      roundMs(row.leaveMs),
      row.recordsPerS,
      row.instanceCores === undefined ? null : `${row.instanceCores} / ${row.otherCores}`,
      row.rssMiBPerInstance,
      row.loadAverage,
      row.problems.length === 0 ? '' : `${row.problems.length}: ${row.problems[0]}`,
    ]),
  );
  const resultsFile = await writeResults(params, 'scale-out', { setup, rows, failures });
  const checks: Check[] = [
    {
      scenario: 'scale-out',
      what: 'every k measured (instances stable and committing)',
      value: failures.length === 0 ? 'yes' : failures.join('; '),
      kind: 'correctness',
      pass: failures.length === 0,
    },
  ];
  for (const setupName of [...new Set(rows.map((row) => row.setup))]) {
    const mine = rows.filter((row) => row.setup === setupName);
    const last = mine.at(-1)!;
    checks.push({
      scenario: 'scale-out',
      what: `${setupName}: conflicts/commit, commit p99 at k = ${mine.map((row) => row.k).join(', ')}`,
      value: mine.map((row) => `${row.conflictsPerCommit} / ${roundMs(row.p99Ms)} ms`).join(', '),
      kind: 'info',
      pass: true,
    });
    if (last.joinMs !== undefined)
      checks.push({
        scenario: 'scale-out',
        what: `${setupName}: rebalance join / leave at k = ${mine.map((row) => row.k).join(', ')} (ms)`,
        value: mine.map((row) => `${roundMs(row.joinMs)} / ${roundMs(row.leaveMs)}`).join(', '),
        kind: 'info',
        pass: true,
      });
  }
  return { checks, resultsFile };
}
