/**
 * The job's Prometheus series (runtime/metrics.ts), updated from its events: a micro-batch processed, a
 * commit visible, broker offsets read, and — at most every 10 s, they walk the whole state — the state and
 * watermark gauges. Per-partition series are labelled with the broker's (prefixed) topic name.
 */
import type { JobName } from '../../events/topics.ts';
import type { JobEngine, RecordRejection } from '../engine/job-engine.ts';
import type { CommitObserver, CommitResult } from '../io/commit.ts';
import type { Metrics } from '../runtime/metrics.ts';
import type { LatencyRecorder, PendingLatencies } from './latency.ts';
import type { PartitionTracker } from './partition-tracker.ts';

export const GAUGES_REFRESH_MS = 10_000;

/** A published file: the view (or dead-letter topic) it belongs to, and its size. */
export interface PublishedFile {
  dataset: string;
  bytes: number;
}

/** A visible commit as the metrics see it. */
export interface VisibleCommit {
  result: CommitResult;
  visibleMs: number;
  /** Record timestamps it covers (processing latency). */
  latencies: PendingLatencies;
}

export class JobMetrics {
  private gaugesAtMs = 0;

  constructor(
    private readonly metrics: Metrics,
    private readonly job: JobName,
  ) {}

  /** A micro-batch of one (contract) topic went through the engine. */
  processed(topic: string, records: number, accepted: number, rejected: readonly RecordRejection[]): void {
    const { metrics, job } = this;
    metrics.recordsIn.labels(job, topic).inc(records);
    metrics.accepted.labels(job, topic).inc(accepted);
    for (const rejection of rejected) metrics.rejected.labels(job, rejection.topic, rejection.reason).inc();
  }

  batchDuration(durationMs: number): void {
    this.metrics.batchDuration.labels(this.job).observe(durationMs / 1000);
  }

  /** Processing latency of its records (also kept by `recorder` for quantiles), duration, size. */
  committed(commit: VisibleCommit, recorder: LatencyRecorder): void {
    const { metrics, job } = this;
    recorder.committed(commit.latencies, commit.visibleMs, metrics.processingLatency, job);
    metrics.checkpointDuration.labels(job).observe(commit.result.durationMs / 1000);
    metrics.checkpointBytes.labels(job).set(commit.result.checkpointBytes);
  }

  /** The commit protocol's counters: conditional puts, conflicts (and the bytes they re-stage), fences. */
  commitObserver(): CommitObserver {
    const { metrics, job } = this;
    return {
      attempted(outcome, stagedBytes) {
        metrics.commitAttempts.labels(job).inc();
        if (outcome === 'created') return;
        metrics.commitConflicts.labels(job).inc();
        metrics.commitRestagedBytes.labels(job).inc(stagedBytes);
      },
      fenced() {
        metrics.commitFenced.labels(job).inc();
      },
    };
  }

  /** Complete rows published: finality latency per row, and how far the job's views are complete. */
  completed(outcome: {
    completedThroughMs: number;
    finalityS: readonly number[];
    files: readonly PublishedFile[];
    recordFiles: readonly (PublishedFile & { tree: string })[];
  }): void {
    const { metrics, job } = this;
    const finality = metrics.finalityLatency.labels(job);
    for (const seconds of outcome.finalityS) finality.observe(seconds);
    if (Number.isFinite(outcome.completedThroughMs))
      metrics.completeThrough.labels(job).set(outcome.completedThroughMs / 1000);
    this.filesPublished('views', outcome.files);
    for (const { tree, dataset, bytes } of outcome.recordFiles)
      this.metrics.publishedFileBytes.labels(this.job, tree, dataset).observe(bytes);
  }

  /** Files published in one tree: how many a flush policy makes, and how big. */
  filesPublished(tree: 'views' | 'partials', files: readonly PublishedFile[]): void {
    for (const { dataset, bytes } of files)
      this.metrics.publishedFileBytes.labels(this.job, tree, dataset).observe(bytes);
  }

  consumerLag(physicalTopic: string, partition: number, lag: number): void {
    this.metrics.consumerLag.labels(this.job, physicalTopic, String(partition)).set(lag);
  }

  /** Open windows and state bytes per view, watermark lag per partition, idle partitions; every 10 s. */
  stateGauges(
    nowMs: number,
    engine: Pick<JobEngine, 'stateMetrics' | 'watermarks'>,
    owned: readonly PartitionTracker[],
    physical: (topic: string) => string,
  ): void {
    if (nowMs - this.gaugesAtMs < GAUGES_REFRESH_MS) return;
    this.gaugesAtMs = nowMs;
    const { metrics, job } = this;
    for (const view of engine.stateMetrics()) {
      metrics.openWindows.labels(job, view.view).set(view.openWindows);
      metrics.stateBytes.labels(job, view.view).set(view.approxBytes);
    }
    for (const { topic, partition, watermarkMs } of engine.watermarks()) {
      const lagS = Number.isFinite(watermarkMs) ? Math.max(0, (nowMs - watermarkMs) / 1000) : 0;
      metrics.watermarkLag.labels(job, physical(topic), String(partition)).set(lagS);
    }
    metrics.idlePartitions.labels(job).set(owned.filter((t) => t.isIdle).length);
  }
}
