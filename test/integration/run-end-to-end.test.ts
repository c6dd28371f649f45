import { isDeepStrictEqual } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { queryDeadLetters } from '../../src/processor/query/dead-letter-query.ts';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { differences } from '../../src/events/view-result.ts';
import {
  createFixture,
  fixtureSettings,
  oracleResult,
  produceBackfill,
  readerResult,
  readBack,
  waitFor,
  SETTLE_TIMEOUT_MS,
} from './run-fixture.ts';
import './stack-context.ts';
import { duckdbArchive, expectedArchive } from './duckdb-archive.ts';

const endpoints = inject('stack');

describe('speed-layer run, end to end', () => {
  it('publishes, for 200k faulty records, exactly the oracle views and dead letters of all five jobs', async () => {
    const fixture = await createFixture(endpoints);
    const produced = await produceBackfill(endpoints, fixture, 200_000, 2000);
    expect(produced).toBe(200_000);

    const startedMs = Date.now();
    const settings = fixtureSettings(fixture);
    const running = await startJobs({
      settings,
      endpoints,
      logger: createLogger({ level: 'warn', format: 'json' }),
    });
    try {
      await waitFor('every job caught up, idle and committed', () => running.settled(), SETTLE_TIMEOUT_MS);
      const health = await fetch(`${running.httpUrl}/healthz`);
      expect(health.status).toBe(200);
      // Caught up says so outside the programmatic API too: /healthz and /metrics.
      const { jobs } = (await health.json()) as { jobs: Record<string, { caughtUp?: boolean }> };
      expect(Object.values(jobs).map((job) => job.caughtUp)).toEqual([true, true, true, true, true]);
      const metrics = await (await fetch(`${running.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/speed_layer_records_ingested_total\{job="video",topic="lms.video"\} \d+/);
      expect(metrics).toContain('speed_layer_processing_latency_seconds_bucket');
      expect(metrics).toContain('speed_layer_job_caught_up{job="video"} 1');
      expect(metrics).toMatch(/speed_layer_last_commit_age_seconds\{job="auth"\} \d+/);
    } finally {
      await running.stop();
    }
    process.stderr.write(
      `[run e2e] ${produced} records processed and settled in ${(Date.now() - startedMs) / 1000} s\n`,
    );

    const records = await readBack(endpoints, fixture);
    expect(records).toHaveLength(produced);
    const [expected, actual] = [await oracleResult(records), await readerResult(fixture)];
    expect(expected.rejected.length).toBeGreaterThan(0);
    expect(differences(actual, expected, 10)).toEqual([]);
    // The raw archive: every validated record once, accepted or late.
    expect(await duckdbArchive(fixture.store, fixture.layout)).toEqual(expectedArchive(records, expected));

    // Each dead letter holds its record's key and value as they were on the wire, bytes and tombstones too.
    const position = ({ topic, partition, offset }: Pick<SourceRecord, 'topic' | 'partition' | 'offset'>) =>
      `${topic}/${partition}/${offset}`;
    const received = new Map(records.map((record) => [position(record), record]));
    const letters = await queryDeadLetters(fixture.store, fixture.layout, {});
    const altered = letters.filter((letter) => {
      const record = received.get(position(letter));
      return (
        record === undefined || !isDeepStrictEqual([letter.key, letter.value], [record.key, record.value])
      );
    });
    expect(altered.slice(0, 3)).toEqual([]);
    expect(letters.some((letter) => letter.value instanceof Uint8Array)).toBe(true);
    expect(letters.some((letter) => letter.value === null)).toBe(true);
  });
});
