import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { VIEW_NAMES, VIEW_SPECS } from '../../src/events/view-catalog.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { runOracle } from '../../src/oracle/run-oracle.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { reconcileDay } from '../../src/batch/reconcile-day.ts';
import { compareViewRows } from '../../src/batch/reconcile-diff.ts';
import type { ReconciliationReport } from '../../src/batch/reconcile-report.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { archiveByJobs, oracleRowsOfDay, validRecords } from './batch-fixture.ts';
import { tempDir } from './temp-dir.ts';

const D1 = '2025-01-06';
const D2 = '2025-01-07';

/**
 * About 40 simulated minutes across the midnight between D1 and D2. The generator re-sends a duplicate
 * well after the original, so duplicates are judged late too: `late` sets both.
 */
function recordsAcrossMidnight(late: number): SourceRecord[] {
  return [
    ...generateRecords({
      seed: 12,
      events: 5000,
      users: 60,
      startTimeMs: Date.UTC(2025, 0, 6, 23, 40),
      disorderMs: 20_000,
      faults: { late, duplicate: late / 2, invalid: 0.01, future: 0.005 },
    }),
  ];
}

async function storedReport(store: FileObjectStore, day: string): Promise<ReconciliationReport> {
  return JSON.parse((await store.get(`reconciliation/date=${day}.json`))!.toString('utf8'));
}

/** Late records (as the oracle judges them) per topic whose event_time falls on `day`. */
function lateOnDay(late: readonly SourceRecord[], day: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of late) {
    const eventTime = (JSON.parse(String(record.value)) as { event_time: string }).event_time;
    if (eventTime.startsWith(day)) counts[record.topic] = (counts[record.topic] ?? 0) + 1;
  }
  return counts;
}

describe('reconciling the speed layer against the batch layer', () => {
  it('finds every row of every view equal on a day without late events', async () => {
    const records = recordsAcrossMidnight(0);
    const store = new FileObjectStore(tempDir('reconcile-equal-'));
    await archiveByJobs(store, records);
    expect((await validRecords(records)).late).toEqual([]);

    const results = await runBatch({ store, selection: { kind: 'closed' } });

    expect(results.map((result) => result.day)).toEqual(['2025-01-05', D1, D2]);
    for (const day of [D1, D2]) {
      const report = results.find((result) => result.day === day)!.reconciliation!;
      expect(report).toEqual(await storedReport(store, day));
      expect(Object.keys(report.views)).toEqual(VIEW_NAMES);
      for (const [view, figures] of Object.entries(report.views)) {
        expect({ view, differing: figures.differing, only: figures.only_batch + figures.only_speed }).toEqual(
          {
            view,
            differing: 0,
            only: 0,
          },
        );
        expect(figures.equal).toBe(figures.batch_rows);
        expect(figures.equal).toBe(figures.speed_rows);
      }
      expect(report.views.auth_realtime_login_rate!.equal).toBeGreaterThan(10);
      expect(report.late_events.total).toBe(0);
    }
  });

  it('reports exactly the differences of the late events, and counts them per topic and job', async () => {
    const records = recordsAcrossMidnight(0.02);
    const store = new FileObjectStore(tempDir('reconcile-late-'));
    await archiveByJobs(store, records);
    await runBatch({ store, selection: { kind: 'days', days: [D1] }, reconcile: false });
    const lines: string[] = [];

    const report = await reconcileDay({ store, day: D1, limit: 3, progress: (line) => lines.push(line) });

    // Expected: the oracle's SQL over the valid records (batch) against the accepted ones (speed).
    const { valid, late } = await validRecords(records);
    const batch = await oracleRowsOfDay(valid, D1);
    const accepted = (await runOracle(records)).rowsByView;
    const start = Date.parse(`${D1}T00:00:00Z`);
    for (const spec of VIEW_SPECS) {
      const speed = accepted
        .get(spec.name)!
        .filter(
          (row) =>
            Number(row[spec.columns[0]!.name]) >= start &&
            Number(row[spec.columns[0]!.name]) < start + 86_400_000,
        );
      const expected = compareViewRows(spec, batch.get(spec.name)!, speed, 3);
      const figures = report.views[spec.name]!;
      expect([spec.name, figures.equal, figures.differing, figures.only_batch, figures.only_speed]).toEqual([
        spec.name,
        expected.equal,
        expected.differing.length,
        expected.onlyBatch.length,
        expected.onlySpeed.length,
      ]);
      expect(figures.largest_differences).toEqual(expected.largest);
      expect(figures.only_batch_keys).toEqual(expected.onlyBatch.slice(0, 3));
    }
    const differing = Object.values(report.views).reduce((sum, view) => sum + view.differing, 0);
    expect(differing).toBeGreaterThan(0);
    expect(report.late_events.by_topic).toEqual({
      'lms.assessment': 0,
      'lms.auth': 0,
      'lms.course': 0,
      'lms.notification': 0,
      'lms.profile': 0,
      'lms.video': 0,
      ...lateOnDay(late, D1),
    });
    expect(report.late_events.by_job.profile_notification).toBe(
      (report.late_events.by_topic['lms.profile'] ?? 0) +
        (report.late_events.by_topic['lms.notification'] ?? 0),
    );
    expect(lines).toHaveLength(VIEW_NAMES.length + 1);
    expect(lines[0]).toMatch(
      /^day 2025-01-06 auth_realtime_active_users_1min: \d+ equal, \d+ differing, \d+ only in batch, \d+ only in speed \(\d+ late events of auth\)$/,
    );
    expect(lines.at(-1)).toMatch(
      /^day 2025-01-06: \d+ late events; report file:\/\/.*reconciliation\/date=2025-01-06\.json$/,
    );
  });
});
