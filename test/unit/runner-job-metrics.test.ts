import { describe, expect, it } from 'vitest';
import type { RecordRejection } from '../../src/processor/engine/job-engine.ts';
import { GAUGES_REFRESH_MS, JobMetrics } from '../../src/processor/runner/job-metrics.ts';
import { LatencyRecorder } from '../../src/processor/runner/latency.ts';
import { PartitionTracker } from '../../src/processor/runner/partition-tracker.ts';
import { createMetrics } from '../../src/processor/runtime/metrics.ts';

type Series = { get(): Promise<{ values: { labels: object; value: number; metricName?: string }[] }> };

/** The value of one series (for a histogram: its `_count` or `_sum`), 0 when absent. */
async function valueOf(metric: Series, labels: object, suffix = ''): Promise<number> {
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (suffix === '' || v.metricName?.endsWith(suffix)) &&
      Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return found?.value ?? 0;
}

function rejection(reason: RecordRejection['reason']): RecordRejection {
  return {
    topic: 'lms.auth',
    partition: 0,
    offset: 1,
    timestampMs: 0,
    reason,
    message: '',
    key: null,
    value: '',
  };
}

describe("the job's metrics", () => {
  it('count the records of a processed micro-batch: in, accepted, and rejected by reason', async () => {
    const metrics = createMetrics();
    const job = new JobMetrics(metrics, 'auth');

    job.processed('lms.auth', 10, 7, [rejection('late'), rejection('late'), rejection('invalid')]);

    expect(await valueOf(metrics.recordsIn, { job: 'auth', topic: 'lms.auth' })).toBe(10);
    expect(await valueOf(metrics.accepted, { job: 'auth', topic: 'lms.auth' })).toBe(7);
    expect(await valueOf(metrics.rejected, { job: 'auth', reason: 'late' })).toBe(2);
    expect(await valueOf(metrics.rejected, { job: 'auth', reason: 'invalid' })).toBe(1);
  });

  it('observe a visible commit: duration, size and processing latency per record', async () => {
    const metrics = createMetrics();
    const job = new JobMetrics(metrics, 'video');
    const recorder = new LatencyRecorder();
    recorder.add(1_000);
    recorder.add(1_000);
    recorder.add(2_000);
    const result = {
      commit: 3,
      published: [],
      checkpointBytes: 4_096,
      attempts: 1,
      conflicts: 0,
      restagedBytes: 0,
      durationMs: 250,
    };

    job.committed({ result, visibleMs: 3_000, latencies: recorder.seal() }, recorder);

    expect(await valueOf(metrics.checkpointDuration, { job: 'video' }, '_sum')).toBe(0.25);
    expect(await valueOf(metrics.checkpointBytes, { job: 'video' })).toBe(4_096);
    expect(await valueOf(metrics.processingLatency, { job: 'video' }, '_count')).toBe(3);
    expect(recorder.quantileMs(1)).toBe(2_010);
  });

  it('observe a completion: finality per complete row and how far the views are complete', async () => {
    const metrics = createMetrics();

    new JobMetrics(metrics, 'video').completed({
      completedThroughMs: 1_700_000_000_000,
      finalityS: [1, 2],
      files: [
        { dataset: 'video_realtime_watch_time_5min', bytes: 700 },
        { dataset: 'video_realtime_watch_time_5min', bytes: 3000 },
      ],
      recordFiles: [{ tree: 'dead_letter', dataset: 'lms.video', bytes: 512 }],
    });

    expect(await valueOf(metrics.finalityLatency, { job: 'video' }, '_count')).toBe(2);
    expect(await valueOf(metrics.finalityLatency, { job: 'video' }, '_sum')).toBe(3);
    expect(await valueOf(metrics.completeThrough, { job: 'video' })).toBe(1_700_000_000);
    expect(
      await valueOf(
        metrics.publishedFileBytes,
        { job: 'video', tree: 'views', dataset: 'video_realtime_watch_time_5min' },
        '_count',
      ),
    ).toBe(2);
    expect(
      await valueOf(
        metrics.publishedFileBytes,
        { job: 'video', tree: 'dead_letter', dataset: 'lms.video' },
        '_count',
      ),
    ).toBe(1);
    expect(
      await valueOf(
        metrics.publishedFileBytes,
        { job: 'video', tree: 'views', dataset: 'video_realtime_watch_time_5min' },
        '_sum',
      ),
    ).toBe(3700);
  });

  it('label consumer lag with the broker topic and partition', async () => {
    const metrics = createMetrics();

    new JobMetrics(metrics, 'auth').consumerLag('t1.lms.auth', 2, 55);

    expect(await valueOf(metrics.consumerLag, { job: 'auth', topic: 't1.lms.auth', partition: '2' })).toBe(
      55,
    );
  });

  it('walk the state for its gauges at most every 10 s', async () => {
    const metrics = createMetrics();
    const job = new JobMetrics(metrics, 'auth');
    let walks = 0;
    const engine = {
      stateMetrics: () => (walks++, [{ view: 'v', openWindows: 4, openEntries: 0, approxBytes: 800 }]),
      watermarks: () => [{ topic: 'lms.auth', partition: 1, maxTimeMs: 0, watermarkMs: 40_000 }],
    };
    const idle = new PartitionTracker('lms.auth', 1, 5, 0, { watermarkMs: 0, atOffset: 5, decidedAtMs: 0 });
    const physical = (topic: string) => `t1.${topic}`;

    job.stateGauges(50_000, engine, [idle], physical);
    job.stateGauges(50_000 + GAUGES_REFRESH_MS - 1, engine, [idle], physical);
    job.stateGauges(50_000 + GAUGES_REFRESH_MS, engine, [idle], physical);

    expect(walks).toBe(2);
    expect(await valueOf(metrics.openWindows, { job: 'auth', view: 'v' })).toBe(4);
    expect(await valueOf(metrics.stateBytes, { job: 'auth', view: 'v' })).toBe(800);
    const lag = await valueOf(metrics.watermarkLag, { job: 'auth', topic: 't1.lms.auth', partition: '1' });
    expect(lag).toBe(20);
    expect(await valueOf(metrics.idlePartitions, { job: 'auth' })).toBe(1);
  });
});
