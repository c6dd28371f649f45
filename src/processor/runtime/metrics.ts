/**
 * The processor's Prometheus metrics (prom-client), in one registry per process. Names follow
 * docs/contract/semantics.md where it names them (`events_rejected_total{topic,reason}`), with the
 * project's prefix `speed_layer_`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobHealth } from './http-server.ts';

/** Every metric of the project carries this prefix (the process and Node.js defaults keep their usual names). */
export const METRIC_PREFIX = 'speed_layer_';

const LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** Published file sizes: 512 B … 64 MiB, ×2 per bucket. */
const FILE_BUCKETS_BYTES = Array.from({ length: 18 }, (_, index) => 512 * 2 ** index);

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let healthSource: (() => Record<string, JobHealth>) | undefined;
  /** A per-job gauge read from the jobs' health at each scrape (null: no sample). */
  const healthGauge = (name: string, help: string, value: (health: JobHealth) => number | null): void => {
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['job'],
      registers,
      collect() {
        this.reset();
        for (const [job, health] of Object.entries(healthSource?.() ?? {})) {
          const sample = value(health);
          if (sample !== null) this.set({ job }, sample);
        }
      },
    });
  };
  healthGauge('job_up', 'The job runs (1) or starts, restarts, failed or stopped (0)', (health) =>
    health.state === 'running' ? 1 : 0,
  );
  healthGauge(
    'job_caught_up',
    'Every partition read to the end, idle advance committed, completion published (1) or not (0)',
    (health) => (health.caughtUp === true ? 1 : 0),
  );
  healthGauge(
    'last_commit_age_seconds',
    'Seconds since the last successful commit (or caught-up tick), across restarts',
    (health) => health.lastCommitAgeSeconds,
  );
  healthGauge(
    'commit_in_flight_seconds',
    'Seconds the commit in flight has taken so far (0: none, or under a second)',
    (health) => health.commitInFlightSeconds ?? 0,
  );
  return {
    registry,
    /** Where the health gauges read the jobs' health (the supervisor's). */
    setHealthSource(source: () => Record<string, JobHealth>): void {
      healthSource = source;
    },
    recordsIn: new Counter({
      name: `${METRIC_PREFIX}records_ingested_total`,
      help: 'Records read from Kafka',
      labelNames: ['job', 'topic'],
      registers,
    }),
    accepted: new Counter({
      name: `${METRIC_PREFIX}events_accepted_total`,
      help: 'Records accepted and applied to the views',
      labelNames: ['job', 'topic'],
      registers,
    }),
    rejected: new Counter({
      name: `${METRIC_PREFIX}events_rejected_total`,
      help: 'Records rejected, by reason (invalid, future, late, duplicate)',
      labelNames: ['job', 'topic', 'reason'],
      registers,
    }),
    batchDuration: new Histogram({
      name: `${METRIC_PREFIX}batch_duration_seconds`,
      help: 'Micro-batch processing time',
      labelNames: ['job'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    }),
    checkpointDuration: new Histogram({
      name: `${METRIC_PREFIX}checkpoint_duration_seconds`,
      help: 'Commit latency: first listing of the log to the files visible (staging, checkpoint put and its retries, publish)',
      labelNames: ['job'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    commitAttempts: new Counter({
      name: `${METRIC_PREFIX}commit_attempts_total`,
      help: 'Conditional puts of a checkpoint (one per try at a commit number)',
      labelNames: ['job'],
      registers,
    }),
    commitConflicts: new Counter({
      name: `${METRIC_PREFIX}commit_conflicts_total`,
      help: 'Conditional puts of checkpoint N that found N taken by another instance (the commit re-lists, re-stages, retries)',
      labelNames: ['job'],
      registers,
    }),
    commitRestagedBytes: new Counter({
      name: `${METRIC_PREFIX}commit_restaged_bytes_total`,
      help: 'Bytes of output files staged by attempts that lost the commit number, staged again under the next',
      labelNames: ['job'],
      registers,
    }),
    commitFenced: new Counter({
      name: `${METRIC_PREFIX}commit_fenced_total`,
      help: 'Commits refused because another instance committed a partition this one held (a zombie)',
      labelNames: ['job'],
      registers,
    }),
    storeRequests: new Counter({
      name: `${METRIC_PREFIX}object_store_requests_total`,
      help: 'Object-store requests by operation (put, putIfAbsent, get, exists, copy, list; delete per key), before the store retries',
      labelNames: ['operation'],
      registers,
    }),
    checkpointBytes: new Gauge({
      name: `${METRIC_PREFIX}checkpoint_bytes`,
      help: 'Size of the latest checkpoint object',
      labelNames: ['job'],
      registers,
    }),
    publishedFileBytes: new Histogram({
      name: `${METRIC_PREFIX}published_file_bytes`,
      help: 'Size of each file published, by tree (views: complete rows, partials, dead_letter) and dataset (view or topic)',
      labelNames: ['job', 'tree', 'dataset'],
      buckets: FILE_BUCKETS_BYTES,
      registers,
    }),
    processingLatency: new Histogram({
      name: `${METRIC_PREFIX}processing_latency_seconds`,
      help: 'Record timestamp to the commit that covers it',
      labelNames: ['job'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    finalityLatency: new Histogram({
      name: `${METRIC_PREFIX}finality_latency_seconds`,
      help: 'Completion time (window end, + join bound, or session end) + watermark delay to the complete row visible in the views tree',
      labelNames: ['job'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    completeThrough: new Gauge({
      name: `${METRIC_PREFIX}complete_through_timestamp_seconds`,
      help: 'Every row complete at or before this time is published in the views tree (unix seconds)',
      labelNames: ['job'],
      registers,
    }),
    openWindows: new Gauge({
      name: `${METRIC_PREFIX}state_open_windows`,
      help: 'Open (not yet final) windows, sessions or join entries per view',
      labelNames: ['job', 'view'],
      registers,
    }),
    stateBytes: new Gauge({
      name: `${METRIC_PREFIX}state_bytes`,
      help: 'Approximate bytes of state per view',
      labelNames: ['job', 'view'],
      registers,
    }),
    consumerLag: new Gauge({
      name: `${METRIC_PREFIX}consumer_lag_records`,
      help: 'High-water mark minus next offset',
      labelNames: ['job', 'topic', 'partition'],
      registers,
    }),
    watermarkLag: new Gauge({
      name: `${METRIC_PREFIX}partition_watermark_lag_seconds`,
      help: 'Wall clock minus the partition watermark',
      labelNames: ['job', 'topic', 'partition'],
      registers,
    }),
    idlePartitions: new Gauge({
      name: `${METRIC_PREFIX}idle_partitions`,
      help: 'Partitions whose watermark currently advances by the idle rule',
      labelNames: ['job'],
      registers,
    }),
    jobFailures: new Counter({
      name: `${METRIC_PREFIX}job_failures_total`,
      help: 'Job failures (each one restarts the job or ends the run), by dependency (storage, kafka, other) and error code',
      labelNames: ['job', 'dependency', 'code'],
      registers,
    }),
    jobRestarts: new Counter({
      name: `${METRIC_PREFIX}job_restarts_total`,
      help: 'Restarts of a job after a failure',
      labelNames: ['job'],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
