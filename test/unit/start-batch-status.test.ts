/**
 * The batch line of `npm start`'s summary: a day the loop computes again (while the next date's archive
 * grows) is listed once, with how often and its newest reconciliation.
 */
import { describe, expect, it } from 'vitest';
import type { ReconciliationReport } from '../../src/batch/reconcile-report.ts';
import { noteBatchLine, noteReconciled, type BatchStatus } from '../../src/start/batch-status.ts';
import type { SummaryState } from '../../src/start/live-summary.ts';
import { renderSummary } from '../../src/start/render-summary.ts';

const report = (day: string, equal: number, differing: number, pastMargin = 0) =>
  ({
    day,
    views: {
      v1: { equal, differing: 0 },
      v2: { equal: 1, differing, past_margin: { rows: pastMargin, sessions: [] } },
    },
  }) as unknown as ReconciliationReport;

function summaryOf(batch: BatchStatus): SummaryState {
  return {
    atMs: 0,
    startedAtMs: 0,
    generator: null,
    jobs: [],
    views: [],
    logFile: 'speed-layer.log',
    httpUrl: undefined,
    archive: { files: 0, bytes: 0 },
    batch,
    serveUrl: undefined,
  };
}

describe("npm start's batch line", () => {
  it('lists a recomputed day once, with how often and its newest reconciliation', () => {
    const status: BatchStatus = { days: [], last: undefined };
    noteBatchLine(status, 'day 2026-12-05 (0 events, 25 views)');
    noteBatchLine(status, 'day 2026-12-06 (2148859 events, 25 views)');
    noteReconciled(status, report('2026-12-06', 9, 2));
    noteBatchLine(status, 'reading the archive');
    noteBatchLine(status, 'day 2026-12-06 (2148900 events, 25 views)');
    noteReconciled(status, report('2026-12-06', 10, 1, 3));

    expect(status.days).toEqual([
      { day: '2026-12-05', times: 1, differing: null, equal: null, pastMargin: null },
      { day: '2026-12-06', times: 2, differing: 1, equal: 11, pastMargin: 3 },
    ]);
    expect(status.last).toBe('day 2026-12-06 (2148900 events, 25 views)');
    expect(renderSummary(summaryOf(status), '').join('\n')).toContain(
      'batch: computed 2026-12-05, 2026-12-06 (computed 2×; rows equal 11, differing 1; 3 sessions cut by the margin)',
    );
  });
});
