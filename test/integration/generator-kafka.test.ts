import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { TOPICS } from '../../src/events/topics.ts';
import { generateRecords, type GeneratedRecord } from '../../src/generator/generate-records.ts';
import { partitionOfKey } from '../../src/generator/kafka-partition.ts';
import type { GeneratorOptions } from '../../src/generator/options.ts';
import { createProgress } from '../../src/generator/progress.ts';
import { runGenerator } from '../../src/generator/run-generator.ts';
import { simulatedSpanMs } from '../../src/generator/simulated-span.ts';
import { openKafkaSink } from '../../src/generator/sinks/open-kafka-sink.ts';
import { readKafkaRecords } from '../../src/oracle/kafka-records.ts';
import { text } from '../fixtures/record-text.ts';
import './stack-context.ts';

const endpoints = inject('stack');

/**
 * This run's records, read back as a snapshot. A fresh broker may still be loading the group
 * coordinator ("coordinator is loading"); readKafkaRecords then fails, and reading again is harmless.
 */
async function readBack(userPrefix: string): Promise<SourceRecord[]> {
  const deadlineMs = Date.now() + 120_000; // loading takes longer on a busy machine
  for (;;) {
    try {
      const mine: SourceRecord[] = [];
      for await (const record of readKafkaRecords(endpoints.kafka, TOPICS)) {
        if (typeof record.key === 'string' && record.key.startsWith(`${userPrefix}-`)) mine.push(record);
      }
      return mine;
    } catch (error) {
      if (Date.now() > deadlineMs || (error as { retriable?: boolean }).retriable !== true) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

/** Records grouped by (topic, partition), values in append order. */
function valuesByPartition(records: Iterable<SourceRecord>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const record of records) {
    const id = `${record.topic}/${record.partition}`;
    let values = groups.get(id);
    if (values === undefined) groups.set(id, (values = []));
    values.push(text(record.value));
  }
  return groups;
}

describe('generate --kafka', () => {
  it('produces 100k events that read back per topic, keyed by user_id, one partition per user, in order', async () => {
    // The contract topics are shared with other tests: this run's users carry a unique prefix.
    const runId = randomUUID().slice(0, 8);
    const userPrefix = `gen-${runId}`;
    const options: Partial<GeneratorOptions> = {
      seed: Number.parseInt(runId, 16),
      events: 100_000,
      users: 3000,
      userPrefix,
      partitions: endpoints.partitions,
    };
    // A backfill that ends about now, as the CLI does it.
    options.startTimeMs = Date.now() - simulatedSpanMs(options);
    const expected: GeneratedRecord[] = [...generateRecords(options)];
    const { sink, partitions } = await openKafkaSink(endpoints.partitions, TOPICS, endpoints);
    expect(partitions).toBe(endpoints.partitions);

    const { summary } = await runGenerator({
      options: { ...options, wallClockMs: Date.now },
      sink,
      holdToWallClock: true,
      progress: createProgress(undefined, false),
    });
    expect(summary.records).toBe(100_000);

    const mine = await readBack(userPrefix);
    expect(mine).toHaveLength(expected.length);

    const countPerTopic = (records: readonly SourceRecord[]): Record<string, number> =>
      Object.fromEntries(TOPICS.map((topic) => [topic, records.filter((r) => r.topic === topic).length]));
    expect(countPerTopic(mine)).toEqual(countPerTopic(expected));

    const partitionOfUser = new Map<string, number>();
    for (const record of mine) {
      const event = JSON.parse(text(record.value)) as { user_id: string; event_time: string };
      expect(event.user_id).toBe(record.key);
      expect(record.partition).toBe(partitionOfKey(text(record.key), partitions));
      expect(partitionOfUser.get(text(record.key)) ?? record.partition).toBe(record.partition);
      partitionOfUser.set(text(record.key), record.partition);
      // Simulated time never ran ahead of the broker's clock (LogAppendTime).
      expect(Date.parse(event.event_time)).toBeLessThanOrEqual(record.timestamp);
    }

    // Per partition, this run's records are exactly the generated ones in the generated order (so every user's order is kept).
    expect(valuesByPartition(mine)).toEqual(valuesByPartition(expected));
  });
});
