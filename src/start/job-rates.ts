/**
 * Per-job counts from the runner's Prometheus counters (records read, accepted, rejected), and rates as
 * the difference between two samples: what the live summary shows without a second bookkeeping.
 */
import type { Counter } from 'prom-client';
import type { Metrics } from '../processor/runtime/metrics.ts';

export interface JobCounts {
  records: number;
  accepted: number;
  rejected: number;
}

export interface CountSample {
  atMs: number;
  byJob: Map<string, JobCounts>;
}

async function sumByJob(
  counter: Counter,
  into: Map<string, JobCounts>,
  field: keyof JobCounts,
): Promise<void> {
  for (const { value, labels } of (await counter.get()).values) {
    const job = String(labels.job);
    const counts = into.get(job) ?? { records: 0, accepted: 0, rejected: 0 };
    counts[field] += value;
    into.set(job, counts);
  }
}

export async function sampleCounts(metrics: Metrics, atMs: number): Promise<CountSample> {
  const byJob = new Map<string, JobCounts>();
  await sumByJob(metrics.recordsIn, byJob, 'records');
  await sumByJob(metrics.accepted, byJob, 'accepted');
  await sumByJob(metrics.rejected, byJob, 'rejected');
  return { atMs, byJob };
}

/** Records per second of a job between two samples (0 when there is no earlier sample). */
export function recordsPerS(job: string, earlier: CountSample | undefined, later: CountSample): number {
  if (earlier === undefined || later.atMs <= earlier.atMs) return 0;
  const delta = (later.byJob.get(job)?.records ?? 0) - (earlier.byJob.get(job)?.records ?? 0);
  return (delta * 1000) / (later.atMs - earlier.atMs);
}
