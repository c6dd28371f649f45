/** The parameters of one `speed-layer load` run, with the defaults of a full run and of `--quick`. */
import { JOBS, type JobName } from '../events/topics.ts';

export const SCENARIOS = ['catch-up', 'ceiling', 'sustained', 'http', 'scale-out', 'serving'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** Without --scenarios: scale-out (up to 17 `run` processes, ~15 min) only when asked for. */
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = SCENARIOS.filter((name) => name !== 'scale-out');

export interface LoadParams {
  quick: boolean;
  /** Backlog per job's topics (catch-up, ceiling). */
  records: number;
  /** Live generator rate over all six topics (sustained), records/s. */
  ratePerS: number;
  /** Sustained generator run time. */
  durationMs: number;
  /** HTTP edge benchmark run time. */
  httpDurationMs: number;
  scenarios: readonly ScenarioName[];
  jobs: readonly JobName[];
  resultsDir: string;
  /** Throughput targets asserted unless quick (the mission's: 10,000 records/s per job). */
  targetRecordsPerS: number;
  targetRatePerS: number;
  /** Users of the simulated world filling the backlogs (more users = shorter simulated span). */
  backlogUsers: number;
  /** Whether the jobs archive every validated record (off: to measure the archive's cost). */
  rawArchive: boolean;
  /** Whether the jobs publish provisional rows (off: to measure what they cost). */
  provisional: boolean;
  /** Sustained: SSE subscribers of a `serve` beside the jobs (0: none). */
  sseSubscribers: number;
  /** Sustained: the freshness probe and serve (with its subscribers) in a process apart from the jobs. */
  serveApart: boolean;
  /** sustained: the jobs as `run --processes`, serve apart (sustained-processes.ts). */
  jobProcesses: boolean;
  /** scale-out: the job's commit groups (io/commit-groups.ts; 1: one shared log). */
  commitGroups: number;
  /** scale-out: the protocol alone, without the `run` processes. */
  protocolOnly: boolean;
}

export const FULL_DEFAULTS = {
  records: 1_000_000,
  ratePerS: 10_000,
  durationMs: 180_000,
  httpDurationMs: 20_000,
};
export const QUICK_DEFAULTS = {
  records: 20_000,
  ratePerS: 2_000,
  durationMs: 30_000,
  httpDurationMs: 10_000,
};

export interface LoadFlags {
  quick?: boolean;
  records?: number;
  rate?: number;
  duration?: number;
  scenarios?: ScenarioName[];
  jobs?: JobName[];
  results?: string;
  rawArchive?: boolean;
  provisional?: boolean;
  sse?: number;
  serveApart?: boolean;
  jobProcesses?: boolean;
  commitGroups?: number;
  protocolOnly?: boolean;
}

export function resolveLoadParams(flags: LoadFlags): LoadParams {
  const quick = flags.quick === true;
  const defaults = quick ? QUICK_DEFAULTS : FULL_DEFAULTS;
  return {
    quick,
    records: flags.records ?? defaults.records,
    ratePerS: flags.rate ?? defaults.ratePerS,
    durationMs: flags.duration ?? defaults.durationMs,
    httpDurationMs: defaults.httpDurationMs,
    scenarios: flags.scenarios ?? DEFAULT_SCENARIOS,
    jobs: flags.jobs ?? JOBS,
    resultsDir: flags.results ?? 'results',
    targetRecordsPerS: 10_000,
    targetRatePerS: 10_000,
    backlogUsers: 10_000,
    rawArchive: flags.rawArchive ?? true,
    provisional: flags.provisional ?? true,
    sseSubscribers: flags.sse ?? 0,
    serveApart: flags.serveApart === true || flags.jobProcesses === true,
    jobProcesses: flags.jobProcesses === true,
    commitGroups: flags.commitGroups ?? 1,
    protocolOnly: flags.protocolOnly === true,
  };
}
