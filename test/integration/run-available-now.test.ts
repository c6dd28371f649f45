/**
 * `run --available-now` as a backfill or CI run uses it: it reads what the topics hold, commits, publishes
 * what became complete and exits 0 by itself; what it published equals the oracle.
 */
import { describe, expect, inject, it } from 'vitest';
import { differences } from '../../src/events/view-result.ts';
import { spawnRunner } from './run-child.ts';
import { createFixture, oracleResult, produceBackfill, readBack, readerResult } from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

describe('speed-layer run --available-now', () => {
  it(
    'processes the backlog, publishes it complete and exits 0 on its own',
    { timeout: 900_000 },
    async () => {
      const fixture = await createFixture(endpoints);
      const produced = await produceBackfill(endpoints, fixture, 20_000, 300);
      const startedMs = Date.now();
      const child = spawnRunner(endpoints, fixture, [], { availableNow: '' });

      const { code } = await child.exited;

      expect(code).toBe(0);
      expect(child.output()).toContain('available now: every partition read to its end offset at start');
      const records = await readBack(endpoints, fixture);
      expect(records).toHaveLength(produced);
      const [expected, actual] = [await oracleResult(records), await readerResult(fixture)];
      expect(differences(actual, expected, 10)).toEqual([]);
      process.stderr.write(
        `[available now] ${produced} records, exited 0 after ${Date.now() - startedMs} ms\n`,
      );
    },
  );
});
