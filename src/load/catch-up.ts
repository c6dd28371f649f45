/**
 * Scenario 1, catch-up: the generator fills a backlog of N records per job's topics; then each job alone
 * consumes its backlog until settled, then all five jobs together (fresh consumer groups and empty
 * output prefixes over the same topics, so every job starts from nothing). After each run the published
 * views must equal the oracle's over the same records.
 */
import { JOBS, type JobName } from '../events/topics.ts';
import type { OracleResult } from '../oracle/run-oracle.ts';
import { fillBacklog, type Backlog } from './backlog.ts';
import type { Check, LoadContext, ScenarioResult } from './load-context.ts';
import { createLoadTopics, jobsRun, type LoadTopics } from './load-fixture.ts';
import { checkAgainstOracle, oracleOf, unionOf, type OracleCheck } from './oracle-check.ts';
import { printTable, writeResults, type Cell } from './report.ts';
import { round } from './resource-meter.ts';
import { runUntilSettled, type SettledRun } from './run-jobs.ts';
import { runProcessesUntilSettled } from './run-processes.ts';

interface RunRow {
  run: string;
  settled: SettledRun;
  check: OracleCheck;
}

/** Generous: a run slower than 1,000 records/s plus five minutes is broken, not slow. */
function timeoutMs(records: number): number {
  return records + 300_000;
}

async function measureRun(
  context: LoadContext,
  topics: LoadTopics,
  name: string,
  recordsByJob: Map<JobName, number>,
  expected: () => Promise<{ oracle: OracleResult | ReturnType<typeof unionOf>; oracleS: number }>,
  runner: typeof runUntilSettled = runUntilSettled,
): Promise<RunRow> {
  const runName = name.replaceAll(/[^a-z0-9_]+/gi, '-');
  const run = jobsRun(
    context.endpoints,
    topics,
    runName,
    context.params.rawArchive,
    context.params.provisional,
  );
  const total = [...recordsByJob.values()].reduce((sum, n) => sum + n, 0);
  const settled = await runner(context.endpoints, run, recordsByJob, context.stackPids, timeoutMs(total));
  const { oracle, oracleS } = await expected();
  const check = await checkAgainstOracle(run, oracle, oracleS);
  if (!check.ok)
    process.stderr.write(`[catch-up ${name}] differs from the oracle:\n${check.differences.join('\n')}\n`);
  return { run: name, settled, check };
}

export async function catchUpScenario(context: LoadContext): Promise<ScenarioResult> {
  const { params, endpoints } = context;
  const topics = await createLoadTopics(endpoints);
  const backlogs = new Map<JobName, Backlog>();
  for (const job of params.jobs) {
    backlogs.set(job, await fillBacklog(endpoints, topics, job, params.records, params.backlogUsers));
  }

  const rows: RunRow[] = [];
  const oracles: OracleResult[] = [];
  for (const job of params.jobs) {
    const records = new Map([[job, backlogs.get(job)!.records]]);
    rows.push(
      await measureRun(context, topics, job, records, async () => {
        const startedMs = performance.now();
        const oracle = await oracleOf(endpoints, topics, [job]);
        oracles.push(oracle);
        return { oracle, oracleS: round((performance.now() - startedMs) / 1000, 1) };
      }),
    );
  }
  // The jobs together in one process, then each in a process of its own (`run --processes`); skipped
  // when `--jobs` names only one.
  const togetherRun = params.jobs.length === JOBS.length ? 'all five' : 'together';
  const processesRun = `${togetherRun}, --processes`;
  if (params.jobs.length > 1) {
    const all = new Map(params.jobs.map((job) => [job, backlogs.get(job)!.records]));
    const union = () => Promise.resolve({ oracle: unionOf(oracles), oracleS: 0 });
    rows.push(await measureRun(context, topics, togetherRun, all, union));
    rows.push(await measureRun(context, topics, processesRun, all, union, runProcessesUntilSettled));
  }

  context.backlog = {
    topics,
    byJob: backlogs,
    recordsPerSByJob: new Map(
      rows.slice(0, params.jobs.length).map((row, i) => [params.jobs[i]!, row.settled.recordsPerS]),
    ),
  };
  printTable(
    `Scenario 1 — catch-up (${params.records.toLocaleString('en-US')} records per job's topics)`,
    [
      'run',
      'records',
      'fill rec/s',
      'consumed s',
      'settled s',
      'records/s',
      'cpu cores',
      'RSS start→peak MiB',
      'stack cpu s',
      'rows',
      '== oracle',
    ],
    rows.map(({ run, settled, check }): Cell[] => [
      run,
      settled.records,
      run === togetherRun || run === processesRun ? null : backlogs.get(run as JobName)!.fillRecordsPerS,
      Math.max(...settled.jobs.map((job) => job.consumedS)),
      settled.settledS,
      settled.recordsPerS,
      settled.resources.cores,
      `${settled.resources.startRssMiB}→${settled.resources.peakRssMiB}`,
      settled.resources.stackCpuS,
      check.publishedRows,
      check.ok,
    ]),
  );
  const which = togetherRun === 'all five' ? 'all five' : params.jobs.join(', ');
  for (const [run, how, seconds] of [
    [togetherRun, 'one process, one event loop', 'consumed s'],
    [processesRun, 'a process per job', 'settled s'],
  ] as const) {
    const together = rows.find((row) => row.run === run);
    if (together === undefined) continue;
    printTable(
      `Scenario 1 — ${which} together, per job (${how})`,
      ['job', 'records', seconds, 'records/s'],
      together.settled.jobs.map((job) => [job.job, job.records, job.consumedS, job.consumeRecordsPerS]),
    );
  }
  const resultsFile = await writeResults(params, 'catch-up', {
    backlogs: Object.fromEntries(backlogs),
    runs: rows,
  });
  const checks: Check[] = rows.flatMap(({ run, settled, check }): Check[] => [
    {
      scenario: 'catch-up',
      what: `${run}: views and dead letters == oracle (${check.expectedRows} rows, ${check.rejected} rejected)`,
      value: check.ok ? 'equal' : 'DIFFERENT',
      kind: 'correctness',
      pass: check.ok,
    },
    {
      scenario: 'catch-up',
      what: `${run}: records/s until settled ≥ ${params.targetRecordsPerS}${run === togetherRun || run === processesRun ? ' (jobs together)' : ''}`,
      value: settled.recordsPerS.toLocaleString('en-US'),
      kind: 'target',
      pass: settled.recordsPerS >= params.targetRecordsPerS,
    },
  ]);
  return { checks, resultsFile };
}
