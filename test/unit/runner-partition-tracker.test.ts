import { describe, expect, it } from 'vitest';
import { decodePartitionBlob, encodePartitionBlob } from '../../src/processor/io/partition-state-blob.ts';
import { PartitionTracker } from '../../src/processor/runner/partition-tracker.ts';
import { LatencyRecorder } from '../../src/processor/runner/latency.ts';
import { createMetrics } from '../../src/processor/runtime/metrics.ts';

const D_MS = 120_000;
const IDLE_MS = 30_000;

describe('the idle rule of a partition', () => {
  it('is idle only when it has read up to the high-water mark and nothing arrived for idle_timeout', () => {
    const tracker = new PartitionTracker('lms.auth', 0, 10, 0, null);
    expect(tracker.idleWatermarkDue(60_000, IDLE_MS, D_MS)).toBeUndefined(); // high-water mark unknown
    tracker.noteHighWatermark(12);
    expect(tracker.idleWatermarkDue(60_000, IDLE_MS, D_MS)).toBeUndefined(); // behind the broker
    tracker.advanced(11, 50_000);
    expect(tracker.idleWatermarkDue(60_000, IDLE_MS, D_MS)).toBeUndefined(); // a record arrived 10 s ago
    expect(tracker.idleWatermarkDue(80_000, IDLE_MS, D_MS)).toBe(80_000 - D_MS);
  });

  it('records the advance at the next offset, so a redo from that checkpoint starts with the same idle(p)', () => {
    const tracker = new PartitionTracker('lms.auth', 1, 5, 0, null);
    tracker.noteHighWatermark(5);
    const advance = tracker.recordIdle(400_000, 520_000);
    expect(advance).toEqual({ watermarkMs: 400_000, atOffset: 5, decidedAtMs: 520_000 });
    expect(tracker.isIdle).toBe(true);
    expect(tracker.idleWatermarkDue(529_999, 0, D_MS)).toBeUndefined(); // less than a step further
    expect(tracker.idleWatermarkDue(530_000, 0, D_MS)).toBe(530_000 - D_MS); // steps of 10 s: a commit each
    tracker.advanced(5, 531_000);
    expect(tracker.isIdle).toBe(false);
  });
});

describe('how far behind the head a partition is', () => {
  it("is 0 at the head, the last record's age while records wait, unknown before any record", () => {
    const tracker = new PartitionTracker('lms.auth', 0, 10, 0, null);
    tracker.noteHighWatermark(10);
    expect(tracker.behindMs(99_000)).toBe(0);
    tracker.noteHighWatermark(500);
    expect(tracker.behindMs(99_000)).toBe(Infinity); // adopted, nothing processed yet
    tracker.advanced(199, 99_000, 60_000);
    expect(tracker.behindMs(99_000)).toBe(39_000);
    tracker.advanced(499, 100_000, 99_500);
    expect(tracker.behindMs(100_000)).toBe(0);
  });
});

describe('the runner state blob of a partition', () => {
  it('round-trips the idle advance and an absent engine state', () => {
    const blob = {
      version: 1 as const,
      idle: { watermarkMs: -5, atOffset: 7, decidedAtMs: 9 },
      engine: null,
    };
    expect(decodePartitionBlob(encodePartitionBlob(blob))).toEqual(blob);
  });

  it('refuses a blob of another version', () => {
    const bytes = Buffer.from('{"version":2,"idle":null}\nnull');
    expect(() => decodePartitionBlob(bytes)).toThrow(/version 2/);
  });
});

describe('processing latency', () => {
  it('is observed per record at commit time and answers quantiles', () => {
    const metrics = createMetrics();
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 99; i++) recorder.add(10_000);
    recorder.add(5_000);
    const sealed = recorder.seal();
    recorder.add(10_400); // after the commit started: belongs to the next one
    recorder.committed(sealed, 10_500, metrics.processingLatency, 'auth');
    expect(recorder.count).toBe(100);
    expect(recorder.quantileMs(0.5)).toBe(510);
    expect(recorder.quantileMs(1)).toBe(5510);
  });

  it('forgets the records of a discarded attempt', () => {
    const metrics = createMetrics();
    const recorder = new LatencyRecorder();
    recorder.add(1);
    recorder.discard();
    recorder.committed(recorder.seal(), 2, metrics.processingLatency, 'auth');
    expect(recorder.count).toBe(0);
  });
});
