/**
 * Scenario 3 with `--job-processes`: the same live input, but the jobs run as `speed-layer run
 * --processes` (a process, an event loop, per job) and `serve` with its subscribers and the freshness
 * probe in a process of their own — the jobs' long synchronous steps (a busy job's commit) then stall
 * only that job. The children expose no in-process figures, so this reports what is read from outside:
 * lag from the consumer groups' offsets (committed with each checkpoint), CPU from /proc, provisional
 * freshness, whether the jobs kept up, and the rows final by the stop + 1 min against the oracle.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { JOB_TOPICS } from '../events/topics.ts';
import { groupLag } from '../processor/runner/broker-lag.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { envOfEndpoints } from '../stack/stack-exports.ts';
import { waitCompleteThrough } from './complete-through.ts';
import { startSustainedInput } from './generator-process.ts';
import { keepUp, LAG_BOUND_S } from './keep-up.ts';
import type { Check, LoadContext, ScenarioResult } from './load-context.ts';
import { createLoadTopics, jobsRun, runArgs, runSettings } from './load-fixture.ts';
import { processCpuSeconds } from './machine.ts';
import { checkFinalRows, oracleOf } from './oracle-check.ts';
import { progressBar } from './progress-bar.ts';
import { printTable, writeResults } from './report.ts';
import { round } from './resource-meter.ts';
import { processTree } from './run-processes.ts';
import { startServeSideApart, type ServeSide } from './serve-side.ts';
import { printFreshness } from './sustained-report.ts';
import { waitUntil } from './wait-until.ts';

const IDLE_TIMEOUT = '5s';
const CUTOFF_AFTER_STOP_MS = 60_000;
const BIN = new URL('../../bin/speed-layer.js', import.meta.url).pathname;
const POLL_MS = 500;

export async function sustainedProcessesScenario(context: LoadContext): Promise<ScenarioResult> {
  const { params, endpoints } = context;
  const topics = await createLoadTopics(endpoints);
  const run = jobsRun(endpoints, topics, 'sustained-processes', params.rawArchive, params.provisional);
  const settings = runSettings(run, { idleTimeout: IDLE_TIMEOUT });
  const admin = createKafka(endpoints.kafka, 'load-sustained-processes').admin();
  await admin.connect();
  const groups = params.jobs.map((job) => ({
    groupId: `${run.groupIdPrefix}${job}`,
    topics: JOB_TOPICS[job].map((topic) => `${run.topicPrefix}${topic}`),
  }));
  const lag = async (): Promise<number> => {
    let sum = 0;
    for (const { groupId, topics: names } of groups) sum += await groupLag(admin, groupId, names);
    return sum;
  };
  const jobs = spawn(
    process.execPath,
    [BIN, 'run', ...params.jobs, '--processes', ...runArgs(run, { idleTimeout: IDLE_TIMEOUT })],
    { env: { ...process.env, ...envOfEndpoints(endpoints) }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => jobs.once('exit', resolve));
  const cpuByPid = new Map<number, number>();
  const noteCpu = () => {
    for (const pid of processTree(jobs.pid!)) cpuByPid.set(pid, processCpuSeconds(pid));
  };
  let serveSide: ServeSide | undefined;
  try {
    const joined = async () => {
      const described = await admin.describeGroups(groups.map((g) => g.groupId));
      return described.groups.every((group) => group.state === 'Stable' && group.members.length > 0);
    };
    await waitUntil('every job to join its group', joined, 120_000, POLL_MS);
    serveSide = await startServeSideApart({
      endpoints,
      run,
      idleTimeout: IDLE_TIMEOUT,
      subscribers: params.sseSubscribers,
    });
    const generator = startSustainedInput(endpoints, topics, params);
    serveSide.measure(true);
    const cpuAtStart = cpuOf(cpuByPid, noteCpu);
    const startedMs = performance.now();
    const bar = progressBar('sustained, a process per job', (params.ratePerS * params.durationMs) / 1000);
    const lags: number[] = [];
    let finished = false;
    const done = generator.done.finally(() => (finished = true));
    while (!finished) {
      if (jobs.exitCode !== null) throw new Error(`run --processes exited with ${jobs.exitCode}`);
      lags.push(await lag());
      noteCpu();
      bar.update(generator.records, `lag ${lags.at(-1)}`);
      await Promise.race([sleep(1000), done.catch(() => undefined)]);
    }
    bar.stop();
    serveSide.measure(false);
    const read = await serveSide.stop();
    serveSide = undefined;
    const last = await done;
    const cores = (cpuOf(cpuByPid, noteCpu) - cpuAtStart) / ((performance.now() - startedMs) / 1000);
    const cutoffMs = Date.now() + CUTOFF_AFTER_STOP_MS;
    const drainS = await waitUntil('the lag to drain', async () => (await lag()) === 0, 120_000, POLL_MS);
    // Rows final by the cutoff: the idle rule finalises them once now ≥ cutoff + D, and completeness
    // documents move every flush interval (60 s) at least.
    await sleep(Math.max(0, cutoffMs + settings.watermarkDelay + 3000 - Date.now()));
    await waitCompleteThrough(run.store, run.layout, params.jobs, cutoffMs, 240_000);

    const oracleStartedMs = performance.now();
    const oracle = await oracleOf(endpoints, topics, params.jobs);
    const oracleS = round((performance.now() - oracleStartedMs) / 1000, 1);
    const check = await checkFinalRows(run, oracle, cutoffMs, oracleS);
    if (!check.ok)
      process.stderr.write(`[sustained] differs from the oracle:\n${check.differences.join('\n')}\n`);
    const verdict = keepUp({
      targetPerS: params.ratePerS,
      progress: generator.progress,
      lags,
      drainS: round(drainS, 1),
    });
    const achievedPerS = Math.round(last.records / (last.elapsedMs! / 1000));
    printFreshness(read.freshness);
    const freshness = read.freshness;
    printTable(
      'Scenario 3 — sustained, a process per job (run --processes; serve apart)',
      ['measure', 'value'],
      [
        ['generator events/s, whole run / second half', `${achievedPerS} / ${verdict.steadyPerS}`],
        [
          'lag p90 / max, second half (records, group offsets)',
          `${verdict.lagP90SecondHalf} / ${verdict.lagMaxSecondHalf}`,
        ],
        [`lag bound (${LAG_BOUND_S} s of input)`, verdict.lagBound],
        ['drain after stop (s)', verdict.drainS],
        ['cpu cores (the jobs’ processes)', round(cores, 2)],
        ['final rows == oracle', `${check.ok} (${check.expectedRows} rows)`],
        [
          'provisional freshness p50 / p99 ms (messages)',
          freshness === null ? 'off' : `${freshness.p50} / ${freshness.p99} (${freshness.messages})`,
        ],
        ['serve side event-loop delay p99 / max (ms)', `${read.loopDelayMs?.p99} / ${read.loopDelayMs?.max}`],
        ['keeps up', verdict.keepsUp],
      ],
    );
    const resultsFile = await writeResults(params, 'sustained-processes', {
      achievedPerS,
      verdict,
      cores,
      check,
      provisionalFreshnessMs: freshness,
      sse: read.sse,
      lags,
    });
    const checks: Check[] = [
      {
        scenario: 'sustained',
        what: `a process per job: rows final by stop + 1 min == oracle (${check.expectedRows} rows)`,
        value: check.ok ? 'equal' : 'DIFFERENT',
        kind: 'correctness',
        pass: check.ok,
      },
      {
        scenario: 'sustained',
        what: `a process per job: keeps up with ${params.ratePerS} events/s`,
        value: `${verdict.steadyPerS}/s, lag max ${verdict.lagMaxSecondHalf}, drain ${verdict.drainS} s`,
        kind: params.ratePerS >= params.targetRatePerS ? 'target' : 'info',
        pass: verdict.keepsUp,
      },
    ];
    return { checks, resultsFile };
  } finally {
    await serveSide?.stop().catch(() => undefined);
    jobs.kill('SIGTERM');
    await exited;
    await admin.disconnect();
  }
}

/** CPU seconds of the jobs' process tree so far (processes that ended keep their last reading). */
function cpuOf(cpuByPid: Map<number, number>, note: () => void): number {
  note();
  return [...cpuByPid.values()].reduce((sum, s) => sum + s, 0);
}
