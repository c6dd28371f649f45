/**
 * The batch layer end to end against real Kafka and S3: a stream with every fault kind across a UTC
 * midnight two days back (both days are closed once the idle rule moves completeness to now − D),
 * the jobs SIGKILLed once and run again until settled, `batch --closed` SIGKILLed once and run again.
 * Then: the archive holds every validated record once, each day of every view equals the oracle over its
 * accepted and late records, and each day has its reconciliation.
 */
import { describe, expect, inject, it } from 'vitest';
import { VIEW_NAMES, viewSpec } from '../../src/events/view-catalog.ts';
import { sortRows, type ViewRow } from '../../src/events/view-dump.ts';
import { differences } from '../../src/events/view-result.ts';
import { batchTable, reconciliationKey, type BatchLayout } from '../../src/batch/batch-layout.ts';
import { readManifest } from '../../src/batch/manifest.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { liveFiles } from '../../src/storage/delta/snapshot.ts';
import { dataKey } from '../../src/storage/delta/table-keys.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';
import { oracleRowsOfDay, validRecords } from '../unit/batch-fixture.ts';
import { duckdbArchive, expectedArchive } from './duckdb-archive.ts';
import { spawnBatch } from './batch-child.ts';
import { spawnRunner } from './run-child.ts';
import {
  createFixture,
  fixtureSettings,
  oracleResult,
  produceBackfill,
  readBack,
  waitFor,
  SETTLE_TIMEOUT_MS,
  START_TIMEOUT_MS,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const DAY_MS = 86_400_000;

async function batchRowsOf(
  store: ObjectStore,
  layout: BatchLayout,
  view: string,
  day: string,
): Promise<ViewRow[]> {
  const table = batchTable(store, layout, view);
  const rows: ViewRow[] = [];
  for (const add of liveFiles(await readSnapshot(table), day))
    rows.push(...((await readParquet((await store.get(dataKey(table, add.path)))!)).rows as ViewRow[]));
  return sortRows(viewSpec(view), rows);
}

describe('the batch layer over a run across midnight', () => {
  it(
    'computes both days equal to the oracle, with SIGKILLs during run and during batch',
    { timeout: 1_800_000 },
    async () => {
      const fixture = await createFixture(endpoints);
      // The midnight two days back: both days around it are closed at any time of today (D + 1 day + 1 h).
      const midnightMs = Math.floor(Date.now() / DAY_MS) * DAY_MS - 2 * DAY_MS;
      const days = [new Date(midnightMs - DAY_MS), new Date(midnightMs)].map((d) =>
        d.toISOString().slice(0, 10),
      );
      // About 40 simulated minutes ending 20 min after that midnight.
      const produced = await produceBackfill(endpoints, fixture, 6000, 60, {
        endsAgoMs: Date.now() - (midnightMs + 20 * 60_000),
      });

      const child = spawnRunner(endpoints, fixture, [], {
        commitInterval: '200ms',
        maxOffsetsPerTrigger: '500',
      });
      await waitFor('a few checkpoints', () => child.checkpoints() >= 3, START_TIMEOUT_MS);
      child.process.kill('SIGKILL');
      await child.exited;
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

      const prefix = fixture.layout.viewsPrefix.replace(/realtime_views\/$/, '');
      const layout: BatchLayout = {
        rawPrefix: fixture.layout.rawPrefix,
        viewsPrefix: fixture.layout.viewsPrefix,
        batchPrefix: `${prefix}batch_views/`,
        reconciliationPrefix: `${prefix}reconciliation/`,
      };
      const batch = spawnBatch(endpoints, layout, ['--closed']);
      await waitFor('the batch to write a day', () => batch.output().includes('rows of'), START_TIMEOUT_MS);
      batch.process.kill('SIGKILL');
      await batch.exited;
      await runBatch({ store: fixture.store, layout, selection: { kind: 'closed' } }); // what the kill left
      const manifest = await readManifest(fixture.store, layout);
      expect(Object.keys(manifest.days)).toEqual(expect.arrayContaining(days));

      const records = await readBack(endpoints, fixture);
      expect(records).toHaveLength(produced);
      const expected = await oracleResult(records);
      expect(await duckdbArchive(fixture.store, fixture.layout)).toEqual(expectedArchive(records, expected));
      const { valid, late } = await validRecords(records);
      expect(late.length).toBeGreaterThan(0);
      for (const day of days) {
        const oracle = await oracleRowsOfDay(valid, day);
        const actual = new Map<string, ViewRow[]>();
        for (const view of VIEW_NAMES) actual.set(view, await batchRowsOf(fixture.store, layout, view, day));
        expect(actual.get('auth_realtime_login_rate')!.length, day).toBeGreaterThan(0);
        expect(
          differences({ rowsByView: actual, rejected: [] }, { rowsByView: oracle, rejected: [] }, 10),
          day,
        ).toEqual([]);
        expect(await fixture.store.exists(reconciliationKey(layout, day)), day).toBe(true);
      }
    },
  );
});
