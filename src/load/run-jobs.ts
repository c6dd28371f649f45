/**
 * Runs jobs over a fixed backlog until `settled()` (every partition consumed to the high-water mark,
 * idle, the last windows committed and published) and measures: per job the time until all its records
 * were read (consumedS) and the time until everything settled (settledS), this process's CPU, peak RSS
 * and the stack JVMs' CPU.
 */
import type { Counter } from 'prom-client';
import type { JobName } from '../events/topics.ts';
import { startJobs } from '../processor/runner/supervisor.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { runSettings, type JobsRun } from './load-fixture.ts';
import { progressBar } from './progress-bar.ts';
import { ResourceMeter, round, type ResourceUsage } from './resource-meter.ts';

export interface JobTiming {
  job: JobName;
  records: number;
  consumedS: number;
  /** records / consumedS. */
  consumeRecordsPerS: number;
}

export interface SettledRun {
  jobs: JobTiming[];
  records: number;
  /** Start of the jobs → settled(): includes group join, the idle timeout and the final commit. */
  settledS: number;
  /** records / settledS: the figure the target is checked against. */
  recordsPerS: number;
  resources: ResourceUsage;
}

const POLL_MS = 100;
/** Catch-up only: a partition at its high-water mark is idle after 1 s instead of 30 s. */
export const IDLE_TIMEOUT = '1s';

async function countsByJob(counter: Counter): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { value, labels } of (await counter.get()).values) {
    counts.set(String(labels.job), (counts.get(String(labels.job)) ?? 0) + value);
  }
  return counts;
}

export async function runUntilSettled(
  endpoints: StackEndpoints,
  run: JobsRun,
  recordsByJob: ReadonlyMap<JobName, number>,
  stackPids: readonly number[],
  timeoutMs: number,
): Promise<SettledRun> {
  const jobs = [...recordsByJob.keys()];
  const total = [...recordsByJob.values()].reduce((sum, n) => sum + n, 0);
  const meter = new ResourceMeter(stackPids);
  const startedMs = performance.now();
  const running = await startJobs({
    settings: runSettings(run, { idleTimeout: IDLE_TIMEOUT }),
    endpoints,
    jobs,
    store: run.store,
  });
  const bar = progressBar(`run ${run.run}`, total);
  const consumedAtS = new Map<JobName, number>();
  let settledS = NaN;
  let resources: ResourceUsage;
  try {
    let failure: unknown;
    running.failed.catch((error: unknown) => (failure = error));
    for (;;) {
      if (failure !== undefined) throw failure;
      const elapsedMs = performance.now() - startedMs;
      if (elapsedMs > timeoutMs)
        throw new Error(`run ${run.run} did not settle within ${timeoutMs / 1000} s`);
      const counts = await countsByJob(running.metrics.recordsIn);
      for (const job of jobs) {
        if (!consumedAtS.has(job) && (counts.get(job) ?? 0) >= recordsByJob.get(job)!)
          consumedAtS.set(job, elapsedMs / 1000);
      }
      const read = [...counts.values()].reduce((sum, n) => sum + n, 0);
      const lag = Object.values(running.health()).reduce((sum, health) => sum + (health.lag ?? 0), 0);
      bar.update(Math.min(read, total), `lag ${lag}`);
      if (consumedAtS.size === jobs.length && running.settled()) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    settledS = (performance.now() - startedMs) / 1000;
  } finally {
    resources = meter.stop();
    bar.stop();
    await running.stop();
  }
  return {
    jobs: jobs.map((job) => {
      const records = recordsByJob.get(job)!;
      const consumedS = consumedAtS.get(job)!;
      return {
        job,
        records,
        consumedS: round(consumedS, 2),
        consumeRecordsPerS: Math.round(records / consumedS),
      };
    }),
    records: total,
    settledS: round(settledS, 2),
    recordsPerS: Math.round(total / settledS),
    resources,
  };
}
