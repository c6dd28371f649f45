import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import type { RecordRejection } from '../../src/processor/engine/job-engine.ts';
import { readArchiveLine } from '../../src/processor/io/archive-line.ts';
import { partitionKey } from '../../src/processor/io/checkpoint-store.ts';
import { ndjsonLines } from '../../src/processor/io/ndjson-parts.ts';
import { PendingOutput } from '../../src/processor/runner/pending-output.ts';

function record(partition: number, offset: number, timestamp: number): SourceRecord {
  return { topic: 'lms.auth', partition, offset, timestamp, key: `user-${offset}`, value: `{"n":${offset}}` };
}

function rejected(source: SourceRecord): RecordRejection {
  const { topic, partition, offset, timestamp, key, value } = source;
  return { topic, partition, offset, timestampMs: timestamp, reason: 'invalid', message: 'bad', key, value };
}

function gap(partition: number) {
  return { topic: 'lms.auth', partition, fromOffset: 10, toOffset: 20, detectedAtMs: 1_000 };
}

describe('what waits for the next commit', () => {
  it('gives a commit the rejections with their source keys, the gaps and the latencies, then starts empty', () => {
    const pending = new PendingOutput();
    const records = [record(0, 5, 1_000), record(0, 6, 2_000)];
    pending.processed(records, [rejected(records[1]!)]);
    pending.gap(gap(0));

    const taken = pending.take();

    expect(taken.rejections).toEqual([
      expect.objectContaining({ partition: 0, offset: 6, key: 'user-6', timestamp: 2_000, value: '{"n":6}' }),
    ]);
    expect(taken.gaps).toEqual([gap(0)]);
    expect([...taken.latencies.values()].reduce((a, b) => a + b, 0)).toBe(2);
    const next = pending.take();
    expect(next.rejections).toEqual([]);
    expect(next.gaps).toEqual([]);
    expect(next.latencies.size).toBe(0);
  });

  it('has gaps to commit until they are taken', () => {
    const pending = new PendingOutput();
    expect(pending.hasGaps).toBe(false);

    pending.gap(gap(1));
    expect(pending.hasGaps).toBe(true);

    pending.take();
    expect(pending.hasGaps).toBe(false);
  });

  it('drops the dead letters and gaps of released partitions only', () => {
    const pending = new PendingOutput();
    const kept = record(0, 1, 1_000);
    const dropped = record(1, 1, 1_000);
    pending.processed([kept, dropped], [rejected(kept), rejected(dropped)]);
    pending.gap(gap(0));
    pending.gap(gap(1));

    pending.dropPartitions(new Set([partitionKey('lms.auth', 1)]));

    const taken = pending.take();
    expect(taken.rejections.map((r) => r.partition)).toEqual([0]);
    expect(taken.gaps.map((g) => g.partition)).toEqual([0]);
  });

  it('discards everything uncommitted, the latencies included', () => {
    const pending = new PendingOutput();
    const source = record(2, 0, 1_000);
    pending.processed([source], [rejected(source)]);
    pending.gap(gap(2));

    pending.discard();

    const taken = pending.take();
    expect(taken).toEqual({ rejections: [], archive: new Map(), gaps: [], latencies: new Map() });
  });

  it('archives accepted and late records by topic, and not duplicates, invalid or future ones', () => {
    const pending = new PendingOutput();
    const records = [0, 1, 2, 3, 4].map((offset) => record(0, offset, 1_000 + offset));
    const as = (source: SourceRecord, reason: RecordRejection['reason']) => ({ ...rejected(source), reason });
    pending.processed(records, [
      as(records[1]!, 'late'),
      as(records[2]!, 'duplicate'),
      as(records[3]!, 'invalid'),
      as(records[4]!, 'future'),
    ]);

    const lines = ndjsonLines(pending.take().archive.get('lms.auth')!).map(readArchiveLine);

    expect(lines).toEqual([
      { partition: 0, offset: 0, timestamp: 1_000, status: 'accepted', value: '{"n":0}' },
      { partition: 0, offset: 1, timestamp: 1_001, status: 'late', value: '{"n":1}' },
    ]);
    expect(pending.take().archive.size).toBe(0);
  });

  it('archives nothing when the raw archive is off', () => {
    const pending = new PendingOutput({ archive: false });
    pending.processed([record(0, 1, 1_000)], []);

    expect(pending.take().archive.size).toBe(0);
  });

  it('drops the archive lines of released partitions only', () => {
    const pending = new PendingOutput();
    pending.processed([record(0, 1, 1_000)], []);
    pending.processed([record(1, 1, 1_000)], []);

    pending.dropPartitions(new Set([partitionKey('lms.auth', 1)]));

    const lines = ndjsonLines(pending.take().archive.get('lms.auth')!);
    expect(lines.map((line) => readArchiveLine(line).partition)).toEqual([0]);
  });
});
