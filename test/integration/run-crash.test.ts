import { describe, expect, inject, it } from 'vitest';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { differences } from '../../src/events/view-result.ts';
import { spawnRunner } from './run-child.ts';
import {
  createFixture,
  fixtureSettings,
  oracleResult,
  produceBackfill,
  readerResult,
  readBack,
  waitFor,
  START_TIMEOUT_MS,
  SETTLE_TIMEOUT_MS,
} from './run-fixture.ts';
import './stack-context.ts';
import { duckdbArchive, expectedArchive } from './duckdb-archive.ts';

const endpoints = inject('stack');
const KILLS = 5;

describe('speed-layer run, killed and restarted', () => {
  it('loses nothing and publishes nothing twice when SIGKILLed at five random moments', async () => {
    const fixture = await createFixture(endpoints);
    const produced = await produceBackfill(endpoints, fixture, 40_000, 600);
    // Small batches and frequent commits: many commits to land between, and more work to interrupt.
    const slow = { maxOffsetsPerTrigger: '500', commitInterval: '200ms' };
    const killedAfterCheckpoints: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawnRunner(endpoints, fixture, [], slow);
      await waitFor('a checkpoint of the restarted runner', () => child.checkpoints() > 0, START_TIMEOUT_MS);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1500));
      killedAfterCheckpoints.push(child.checkpoints());
      child.process.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
    }
    process.stderr.write(`[run crash] killed after ${killedAfterCheckpoints.join(', ')} checkpoints\n`);

    const running = await startJobs({
      settings: fixtureSettings(fixture),
      endpoints,
      logger: createLogger({ level: 'warn', format: 'json' }),
    });
    try {
      await waitFor('every job caught up, idle and committed', () => running.settled(), SETTLE_TIMEOUT_MS);
    } finally {
      await running.stop();
    }
    const records = await readBack(endpoints, fixture);
    expect(records).toHaveLength(produced);
    // DuckDB's plain read_parquet over each views tree: a row published twice would show up twice.
    const [expected, actual] = [await oracleResult(records), await readerResult(fixture)];
    expect(differences(actual, expected, 10)).toEqual([]);
    // The raw archive: every validated record once, accepted or late.
    expect(await duckdbArchive(fixture.store, fixture.layout)).toEqual(expectedArchive(records, expected));
  });
});
