import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import { differences } from '../../src/events/view-result.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { readManifest } from '../../src/batch/manifest.ts';
import { DEFAULT_BATCH_LAYOUT } from '../../src/batch/batch-layout.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { archiveByJobs, batchRows, oracleRowsOfDay, validRecords } from './batch-fixture.ts';
import { tempDir } from './temp-dir.ts';

/** About 40 simulated minutes across the midnight between 2025-01-06 and 2025-01-07, with late records. */
function recordsAcrossMidnight(): SourceRecord[] {
  return [
    ...generateRecords({
      seed: 11,
      events: 6000,
      users: 60,
      startTimeMs: Date.UTC(2025, 0, 6, 23, 40),
      disorderMs: 20_000,
      faults: { late: 0.03, duplicate: 0.02, invalid: 0.01, future: 0.005 },
    }),
  ];
}

describe('speed-layer batch over an archive the jobs wrote', () => {
  it('computes each day of every view equal to the oracle over its accepted and late records', async () => {
    const records = recordsAcrossMidnight();
    const store = new FileObjectStore(tempDir('batch-oracle-'));
    await archiveByJobs(store, records);
    const { valid, late } = await validRecords(records);
    expect(late.length).toBeGreaterThan(50);
    expect(valid.length).toBeLessThan(records.length);

    const results = await runBatch({ store, selection: { kind: 'closed' } });

    // The day before the first date is computed too (its rows could hold events of the next hour): empty.
    expect(results.map((result) => result.day)).toEqual(['2025-01-05', '2025-01-06', '2025-01-07']);
    expect(results[0]!.views.every((view) => view.rows === 0)).toBe(true);
    for (const day of ['2025-01-06', '2025-01-07']) {
      const expected = await oracleRowsOfDay(valid, day);
      expect(expected.get('auth_realtime_login_rate')!.length).toBeGreaterThan(10);
      const actual = new Map<string, Awaited<ReturnType<typeof batchRows>>>();
      for (const view of VIEW_NAMES) actual.set(view, await batchRows(store, view, day));
      expect(
        differences({ rowsByView: actual, rejected: [] }, { rowsByView: expected, rejected: [] }, 10),
      ).toEqual([]);
    }
    // Sessions that start before midnight and end after it are rows of 2025-01-06, computed whole.
    const midnight = Date.parse('2025-01-07T00:00:00Z');
    const sessions = await batchRows(store, 'auth_realtime_session_activity', '2025-01-06');
    expect(sessions.some((row) => Number(row.session_end) > midnight)).toBe(true);
    const manifest = await readManifest(store, DEFAULT_BATCH_LAYOUT);
    expect(Object.keys(manifest.days)).toEqual(['2025-01-05', '2025-01-06', '2025-01-07']);
    expect(Object.keys(manifest.days['2025-01-07']!)).toEqual([...VIEW_NAMES].sort());
  });

  it('counts late records, which the speed layer left out of its views', async () => {
    const records = recordsAcrossMidnight();
    const store = new FileObjectStore(tempDir('batch-late-'));
    await archiveByJobs(store, records);

    await runBatch({
      store,
      selection: { kind: 'days', days: ['2025-01-06', '2025-01-07'] },
      views: ['auth_realtime_active_users_1min'],
    });

    const { valid, late } = await validRecords(records);
    const auth = (list: readonly SourceRecord[]) => list.filter((r) => r.topic === 'lms.auth').length;
    expect(auth(late)).toBeGreaterThan(0);
    const rows = [
      ...(await batchRows(store, 'auth_realtime_active_users_1min', '2025-01-06')),
      ...(await batchRows(store, 'auth_realtime_active_users_1min', '2025-01-07')),
    ];
    // Every valid auth event falls in one minute of the two days.
    expect(rows.reduce((sum, row) => sum + Number(row.events), 0)).toBe(auth(valid));
  });
});
