/**
 * Catch-up with `speed-layer run --processes`: every job in a child process of its own (its own event
 * loop, so the jobs can use both cores), over a fixed backlog until settled. The children expose no
 * `settled()`, so this reads what they committed: settled when, for every partition of every job, the
 * newest commit holding it is at the high-water mark with an idle advance at that offset — the same
 * condition as JobRunner.settled, read from storage. CPU and RSS are summed over the parent and its
 * children from /proc.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { JOB_TOPICS, type JobName } from '../events/topics.ts';
import { CommitLog, partitionKey } from '../processor/io/checkpoint-store.ts';
import { decodePartitionBlobHeader } from '../processor/io/partition-state-blob.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { envOfEndpoints } from '../stack/stack-exports.ts';
import { runArgs, type JobsRun } from './load-fixture.ts';
import { procStatFields, processCpuSeconds, processRssBytes } from './machine.ts';
import { progressBar } from './progress-bar.ts';
import { ResourceMeter, round } from './resource-meter.ts';
import { IDLE_TIMEOUT, type SettledRun } from './run-jobs.ts';

const POLL_MS = 500;
const BIN = new URL('../../bin/speed-layer.js', import.meta.url).pathname;

/** Next offset (high-water mark) of every partition of the jobs' topics, keyed like the commit log. */
async function highWatermarks(endpoints: StackEndpoints, run: JobsRun, jobs: readonly JobName[]) {
  const admin = createKafka(endpoints.kafka, 'load-processes').admin();
  await admin.connect();
  try {
    const highs = new Map<string, number>();
    for (const topic of new Set(jobs.flatMap((job) => JOB_TOPICS[job]))) {
      for (const { partition, high } of await admin.fetchTopicOffsets(`${run.topicPrefix}${topic}`))
        highs.set(partitionKey(topic, partition), Number(high));
    }
    return highs;
  } finally {
    await admin.disconnect();
  }
}

/** True when every partition of the job is committed at its high-water mark with an idle advance there. */
async function jobSettled(log: CommitLog, job: JobName, highs: ReadonlyMap<string, number>) {
  await log.sync();
  for (const [key, high] of highs) {
    if (!(JOB_TOPICS[job] as readonly string[]).includes(key.slice(0, key.lastIndexOf(':')))) continue;
    const commit = log.newestHolding(key);
    if (commit === undefined) return false;
    const checkpoint = await log.read(commit);
    const piece = checkpoint?.partitions.find((p) => partitionKey(p.topic, p.partition) === key);
    if (piece === undefined || piece.nextOffset !== high) return false;
    if (decodePartitionBlobHeader(piece.state).idle?.atOffset !== high) return false;
  }
  return true;
}

/** The process and its descendants, from /proc (children of `run --processes` are grandchildren). */
export function processTree(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const fields = /^\d+$/.test(name) ? procStatFields(Number(name)) : undefined;
    if (fields !== undefined) parentOf.set(Number(name), Number(fields[1])); // ppid
  }
  const tree = [rootPid];
  for (let at = 0; at < tree.length; at++)
    for (const [pid, parent] of parentOf) if (parent === tree[at]) tree.push(pid);
  return tree;
}

export async function runProcessesUntilSettled(
  endpoints: StackEndpoints,
  run: JobsRun,
  recordsByJob: ReadonlyMap<JobName, number>,
  stackPids: readonly number[],
  timeoutMs: number,
): Promise<SettledRun> {
  const jobs = [...recordsByJob.keys()];
  const total = [...recordsByJob.values()].reduce((sum, n) => sum + n, 0);
  const highs = await highWatermarks(endpoints, run, jobs);
  const logs = new Map(jobs.map((job) => [job, new CommitLog(run.store, run.layout, job)]));
  const meter = new ResourceMeter(stackPids);
  const startedMs = performance.now();
  const child = spawn(
    process.execPath,
    [BIN, 'run', ...jobs, '--processes', ...runArgs(run, { idleTimeout: IDLE_TIMEOUT })],
    {
      env: { ...process.env, ...envOfEndpoints(endpoints) },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const bar = progressBar(`run ${run.run}`, jobs.length);
  const settledAtS = new Map<JobName, number>();
  const cpuByPid = new Map<number, number>();
  let peakRss = 0;
  try {
    while (settledAtS.size < jobs.length) {
      if (child.exitCode !== null) throw new Error(`run --processes exited with ${child.exitCode}`);
      const elapsedMs = performance.now() - startedMs;
      if (elapsedMs > timeoutMs)
        throw new Error(`run ${run.run} did not settle within ${timeoutMs / 1000} s`);
      const tree = processTree(child.pid!);
      for (const pid of tree) cpuByPid.set(pid, processCpuSeconds(pid)); // children that end keep their last
      peakRss = Math.max(
        peakRss,
        tree.reduce((sum, pid) => sum + processRssBytes(pid), 0),
      );
      for (const job of jobs) {
        if (!settledAtS.has(job) && (await jobSettled(logs.get(job)!, job, highs)))
          settledAtS.set(job, elapsedMs / 1000);
      }
      bar.update(settledAtS.size, `jobs settled: ${[...settledAtS.keys()].join(', ') || 'none yet'}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    bar.stop();
    child.kill('SIGTERM');
    await exited;
  }
  const settledS = Math.max(...settledAtS.values());
  const stack = meter.stop();
  const cpuS = [...cpuByPid.values()].reduce((sum, s) => sum + s, 0);
  return {
    // Per job: until its own commits show it settled (polled every 0.5 s).
    jobs: jobs.map((job) => {
      const records = recordsByJob.get(job)!;
      const consumedS = round(settledAtS.get(job)!, 2);
      return { job, records, consumedS, consumeRecordsPerS: Math.round(records / consumedS) };
    }),
    records: total,
    settledS: round(settledS, 2),
    recordsPerS: Math.round(total / settledS),
    resources: {
      wallS: round(settledS, 2),
      cpuS: round(cpuS, 2),
      cores: round(cpuS / settledS, 2),
      startRssMiB: 0,
      peakRssMiB: Math.round(peakRss / 1024 ** 2),
      stackCpuS: stack.stackCpuS,
    },
  };
}
