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

describe('two instances of the jobs sharing the partitions', () => {
  it('publish the oracle views when one of them is SIGKILLed halfway and the other takes over', async () => {
    const fixture = await createFixture(endpoints);
    const produced = await produceBackfill(endpoints, fixture, 40_000, 600);
    const slow = { maxOffsetsPerTrigger: '500', commitInterval: '200ms' };
    const doomed = spawnRunner(endpoints, fixture, [], slow);
    await waitFor('the first instance to commit', () => doomed.checkpoints() >= 5, START_TIMEOUT_MS);

    const survivor = await startJobs({
      settings: fixtureSettings(fixture, slow),
      endpoints,
      logger: createLogger({ level: 'warn', format: 'json' }),
    });
    try {
      // Both instances are in every job's group now: partitions are split, and both commit.
      await waitFor(
        'the survivor to own part of the partitions and commit',
        () =>
          Object.values(survivor.health()).some(
            (job) => job.lastCommitAgeSeconds !== null && job.state === 'running',
          ),
        START_TIMEOUT_MS,
      );
      const committedBefore = doomed.checkpoints();
      await waitFor(
        'the doomed instance to commit after the rebalance',
        () => doomed.checkpoints() > committedBefore,
        START_TIMEOUT_MS,
      );
      doomed.process.kill('SIGKILL');
      await doomed.exited;
      await waitFor(
        'the survivor to take over, catch up and settle',
        () => survivor.settled(),
        SETTLE_TIMEOUT_MS,
      );
    } finally {
      await survivor.stop();
    }
    const records = await readBack(endpoints, fixture);
    expect(records).toHaveLength(produced);
    const [expected, actual] = [await oracleResult(records), await readerResult(fixture)];
    expect(differences(actual, expected, 10)).toEqual([]);
    // The raw archive: every validated record once, accepted or late.
    expect(await duckdbArchive(fixture.store, fixture.layout)).toEqual(expectedArchive(records, expected));
  });
});
