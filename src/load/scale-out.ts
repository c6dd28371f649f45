/**
 * Scenario scale-out (issue 17, "measure first"): one job (auth) on topics of 32 partitions, k `run`
 * instances as separate processes sharing its consumer group and its one commit log, a small steady input
 * so that the two cores are not the limit, commit interval 1 s. Per k, after a warm-up: commits per
 * second, conflicts per commit, re-staged bytes, commit latency p50/p99 (the instances' `checkpoint` log
 * lines) and object-store requests per second by kind (their `speed_layer_object_store_requests_total`);
 * then one instance joins and one leaves, timed from their logs. Then the protocol alone (k committers in
 * this process, no Kafka) on the file store and on S3: scale-out-protocol.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '../events/topics.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { envOfEndpoints } from '../stack/stack-exports.ts';
import { ensureTopics } from '../stack/topics.ts';
import { FileObjectStore } from '../storage/file-object-store.ts';
import { startGeneratorProcess } from './generator-process.ts';
import type { LoadContext, ScenarioResult } from './load-context.ts';
import { jobsRun, runArgs, type JobsRun, type LoadTopics } from './load-fixture.ts';
import { loadAverage, processCpuSeconds } from './machine.ts';
import { progressBar } from './progress-bar.ts';
import { round } from './resource-meter.ts';
import { measureProtocol, type ProtocolPhase } from './scale-out-protocol.ts';
import { commitColumns, reportScaleOut, requestsPerSecond, type KRow } from './scale-out-report.ts';
import { firstChangeMs, Instance, rebalanceEndMs, stable } from './scale-out-instances.ts';

export const SCALE_OUT_PLAN = {
  full: { ks: [1, 2, 4, 8, 16], warmUpMs: 15_000, measureMs: 30_000, protocolMeasureMs: 20_000 },
  quick: { ks: [1, 2, 4], warmUpMs: 5_000, measureMs: 10_000, protocolMeasureMs: 5_000 },
};
const PARTITIONS = 32;
/** Over all six topics (the generator's mix); auth gets about a sixth, a few records per partition a second. */
const INPUT_RATE_PER_S = 600;
/** Long enough for the run; the generator is stopped at the end. */
const GENERATOR_MS = 4 * 3600_000;
/**
 * How long a step waits for the group to be stable (every partition owned once, every instance committing
 * since its last change). A group that never gets there is measured anyway, with that noted: when the
 * shared log saturates, commits take longer than the rebalances between them.
 */
const STABLE_TIMEOUT_MS = 300_000;
const REBALANCE_TIMEOUT_MS = 180_000;
/** The protocol-only writers' checkpoint and files, about what an auth instance commits at this rate. */
const PROTOCOL_PAYLOAD = { stateBytes: 2048, files: 6, fileBytes: 2048 };
const MiB = 1024 ** 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A row's setup, with the job's commit groups when there are several (one log per group). */
function setupName(setup: string, commitGroups: number): string {
  return commitGroups === 1 ? setup : `${setup}, ${commitGroups} groups`;
}

/** Waits for `condition`; false (and a note in `problems`) when it did not hold within `timeoutMs`. */
async function waitFor(what: string, condition: () => boolean, timeoutMs: number, problems: string[]) {
  const startedMs = Date.now();
  while (!condition()) {
    if (Date.now() - startedMs > timeoutMs) {
      problems.push(`not ${what} within ${timeoutMs / 1000} s`);
      return false;
    }
    await sleep(250);
  }
  return true;
}

async function createTopics(endpoints: StackEndpoints): Promise<LoadTopics> {
  const id = Math.random().toString(16).slice(2, 10);
  const topicPrefix = `s${id}.`;
  const admin = createKafka(endpoints.kafka, 'load-scale-out').admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      PARTITIONS,
      TOPICS.map((topic) => `${topicPrefix}${topic}`),
    );
  } finally {
    await admin.disconnect();
  }
  return { id, topicPrefix };
}

/** Sums a metric over the instances (per label value). */
async function metricSum(instances: readonly Instance[], name: string, label?: string) {
  const sums = new Map<string, number>();
  for (const instance of instances)
    for (const [key, value] of await instance.metric(name, label))
      sums.set(key, (sums.get(key) ?? 0) + value);
  return sums;
}

const difference = (to: ReadonlyMap<string, number>, from: ReadonlyMap<string, number>) =>
  new Map([...to].map(([key, value]) => [key, value - (from.get(key) ?? 0)]));

/** One measured window over stable instances: commits from their logs, requests from their metrics. */
async function measureWindow(
  instances: readonly Instance[],
  otherPids: readonly number[],
  measureMs: number,
): Promise<Omit<KRow, 'setup' | 'k'>> {
  const cpu = () => instances.reduce((sum, instance) => sum + instance.cpuSeconds(), 0);
  const otherCpu = () => otherPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const requestsBefore = await metricSum(instances, 'speed_layer_object_store_requests_total', 'operation');
  const recordsBefore = await metricSum(instances, 'speed_layer_records_ingested_total');
  const [cpuBefore, otherBefore, fromMs] = [cpu(), otherCpu(), Date.now()];
  await sleep(measureMs);
  const [cpuAfter, otherAfter, toMs] = [cpu(), otherCpu(), Date.now()];
  const requests = difference(
    await metricSum(instances, 'speed_layer_object_store_requests_total', 'operation'),
    requestsBefore,
  );
  const records = difference(await metricSum(instances, 'speed_layer_records_ingested_total'), recordsBefore);
  const elapsedMs = toMs - fromMs;
  const commits = instances.flatMap((instance) =>
    instance.checkpoints(fromMs, toMs).map((line) => ({
      durationMs: line.durationMs as number,
      attempts: line.attempts as number,
      conflicts: line.conflicts as number,
      restagedBytes: line.restagedBytes as number,
      checkpointBytes: line.checkpointBytes as number,
    })),
  );
  const problems = instances.flatMap((instance) => [
    ...instance.problems(fromMs, toMs).map((line) => `${instance.name}: ${line.msg}`),
    ...(instance.lastChangeMs() >= fromMs ? [`${instance.name}: ownership changed in the window`] : []),
  ]);
  return {
    ...commitColumns(commits, elapsedMs),
    requestsPerS: requestsPerSecond(requests, elapsedMs),
    instanceCores: round((cpuAfter - cpuBefore) / (elapsedMs / 1000), 2),
    otherCores: round((otherAfter - otherBefore) / (elapsedMs / 1000), 2),
    rssMiBPerInstance: Math.round(
      instances.reduce((sum, instance) => sum + instance.rssBytes(), 0) / instances.length / MiB,
    ),
    recordsPerS: Math.round((records.get('') ?? 0) / (elapsedMs / 1000)),
    loadAverage: loadAverage()[0],
    problems,
  };
}

/** The real thing: k `run auth` processes, k going up; per k a window, then one join and one leave. */
async function processLadder(
  context: LoadContext,
  run: JobsRun,
  ks: readonly number[],
  plan: { warmUpMs: number; measureMs: number },
  generatorPid: number,
  rows: KRow[],
  resultsDir: string,
): Promise<void> {
  const args = [
    'run',
    'auth',
    ...runArgs(run, {
      logLevel: 'info',
      partitions: String(PARTITIONS),
      commitInterval: '1s',
      commitGroups: String(context.params.commitGroups),
    }),
  ];
  const env = { ...process.env, ...envOfEndpoints(context.endpoints) };
  const instances: Instance[] = [];
  let spawned = 0;
  const spawnOne = () => new Instance(`i${++spawned}`, args, env);
  const left: Instance[] = [];
  const bar = progressBar('scale-out (processes)', ks.length, 'k values');
  try {
    for (const [step, k] of ks.entries()) {
      while (instances.length < k) instances.push(spawnOne());
      bar.update(step, `k = ${k}: waiting for ${k} stable instances`);
      const problems: string[] = [];
      const stableNow = () => stable(instances, PARTITIONS);
      await waitFor(`${k} instances stable`, stableNow, STABLE_TIMEOUT_MS, problems);
      bar.update(step, `k = ${k}: warm-up, then ${plan.measureMs / 1000} s measured`);
      await sleep(plan.warmUpMs);
      const window = await measureWindow(instances, [...context.stackPids, generatorPid], plan.measureMs);
      window.problems.unshift(...problems);

      bar.update(step, `k = ${k}: one instance joins`);
      const joinedAtMs = Date.now();
      const extra = spawnOne();
      const withExtra = [...instances, extra];
      const joined = await waitFor(
        `stable after ${extra.name} joined`,
        () => stable(withExtra, PARTITIONS, 1),
        STABLE_TIMEOUT_MS,
        window.problems,
      );
      const moveMs = firstChangeMs(withExtra, joinedAtMs);
      const joinMs = joined ? rebalanceEndMs(withExtra, moveMs) - moveMs : null;

      bar.update(step, `k = ${k}: one instance leaves`);
      const leftAtMs = Date.now();
      await extra.stop();
      const settled = await waitFor(
        `stable after ${extra.name} left`,
        () => stable(instances, PARTITIONS, 1),
        REBALANCE_TIMEOUT_MS,
        window.problems,
      );
      const leaveMs = settled ? rebalanceEndMs(instances, leftAtMs) - leftAtMs : null;
      const { code } = await extra.exited;
      if (code !== 0) window.problems.push(`${extra.name} (leaving) exited with ${code}`);
      rows.push({
        setup: setupName('s3 processes', context.params.commitGroups),
        k,
        ...window,
        joinMs,
        leaveMs,
      });
      left.push(extra);
    }
    bar.update(ks.length, 'done');
  } finally {
    bar.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    await keepLogs(resultsDir, [...instances, ...left]);
  }
}

/** Every instance's kept log lines, for reading a rebalance again: `<results>/scale-out-logs-<time>/`. */
async function keepLogs(resultsDir: string, instances: readonly Instance[]): Promise<void> {
  const dir = join(resultsDir, `scale-out-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(dir, { recursive: true });
  for (const instance of instances)
    await writeFile(
      join(dir, `${instance.name}.ndjson`),
      instance.lines.map((line) => JSON.stringify(line)).join('\n') + '\n',
    );
  process.stderr.write(`scale-out: the instances' protocol log lines are in ${dir}\n`);
}

/** The protocol alone, k committers in this process, on the file store and on S3. */
async function protocolLadder(
  context: LoadContext,
  topics: LoadTopics,
  ks: readonly number[],
  plan: { warmUpMs: number; protocolMeasureMs: number },
): Promise<KRow[]> {
  const rows: KRow[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'scale-out-protocol-'));
  const bar = progressBar('scale-out (protocol only)', ks.length * 2, 'phases');
  try {
    for (const setup of ['file protocol', 's3 protocol'] as const) {
      for (const k of ks) {
        bar.update(rows.length, `${setup}, k = ${k}`);
        const run = jobsRun(context.endpoints, topics, `protocol-k${k}`, false);
        const store = setup === 'file protocol' ? new FileObjectStore(join(dir, `k${k}`)) : run.store;
        const phase: ProtocolPhase = {
          k,
          partitions: PARTITIONS,
          groups: context.params.commitGroups,
          intervalMs: 1000,
          warmUpMs: plan.warmUpMs,
          measureMs: plan.protocolMeasureMs,
          ...PROTOCOL_PAYLOAD,
        };
        const measured = await measureProtocol(store, run.layout, phase);
        rows.push({
          setup: setupName(setup, context.params.commitGroups),
          k,
          ...commitColumns(measured.commits, measured.elapsedMs),
          requestsPerS: requestsPerSecond(measured.requests, measured.elapsedMs),
          problems: measured.failures,
        });
      }
    }
    bar.update(rows.length, 'done');
  } finally {
    bar.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

export async function scaleOutScenario(context: LoadContext): Promise<ScenarioResult> {
  const { params, endpoints } = context;
  const plan = params.quick ? SCALE_OUT_PLAN.quick : SCALE_OUT_PLAN.full;
  const topics = await createTopics(endpoints);
  const run = jobsRun(endpoints, topics, 'scale-out', params.rawArchive);
  const generator = startGeneratorProcess({
    endpoints: { ...endpoints, partitions: PARTITIONS },
    topicPrefix: topics.topicPrefix,
    ratePerS: INPUT_RATE_PER_S,
    durationMs: GENERATOR_MS,
    seed: Number.parseInt(topics.id, 16),
  });
  generator.done.catch(() => undefined); // stopped by a signal at the end
  const failures: string[] = [];
  const rows: KRow[] = [];
  try {
    if (!params.protocolOnly)
      await processLadder(context, run, plan.ks, plan, generator.pid, rows, params.resultsDir);
  } catch (error) {
    failures.push(`processes: ${(error as Error).message}`);
  } finally {
    process.kill(generator.pid, 'SIGTERM');
  }
  rows.push(...(await protocolLadder(context, topics, plan.ks, plan)));
  const setup = {
    job: 'auth',
    partitions: PARTITIONS,
    inputRatePerS: INPUT_RATE_PER_S,
    commitInterval: '1s',
    commitGroups: params.commitGroups,
    plan,
    protocolPayload: PROTOCOL_PAYLOAD,
    rawArchive: params.rawArchive,
  };
  return reportScaleOut(params, setup, rows, failures);
}
