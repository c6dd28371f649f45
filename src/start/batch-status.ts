/**
 * What the summary shows of the batch layer: each day computed since start once, however often the loop
 * recomputes it (a closed day is computed again while the next date's archive grows), with the newest
 * reconciliation of it.
 */
import type { ReconciliationReport } from '../batch/reconcile-report.ts';

export interface BatchDay {
  day: string;
  /** How often it was computed since start. */
  times: number;
  differing: number | null;
  equal: number | null;
  /** Sessions the batch cut at its load window (reconcile-margin.ts): explained, not differing. */
  pastMargin: number | null;
}

export interface BatchStatus {
  /** Days computed since start, in the order first computed. */
  days: BatchDay[];
  /** The loop's last progress line. */
  last: string | undefined;
}

/** Notes a progress line of the batch loop: `day D (…)` is a day computed. */
export function noteBatchLine(status: BatchStatus, line: string): void {
  status.last = line;
  const computed = /^day (\d{4}-\d{2}-\d{2}) \(/.exec(line);
  if (computed === null) return;
  const known = status.days.find((entry) => entry.day === computed[1]);
  if (known === undefined)
    status.days.push({ day: computed[1]!, times: 1, differing: null, equal: null, pastMargin: null });
  else known.times++;
}

/** Notes a day's reconciliation: rows equal, differing and cut by the margin over all its views. */
export function noteReconciled(status: BatchStatus, report: ReconciliationReport): void {
  const views = Object.values(report.views);
  const sum = (field: 'differing' | 'equal'): number => views.reduce((total, view) => total + view[field], 0);
  const pastMargin = views.reduce((total, view) => total + (view.past_margin?.rows ?? 0), 0);
  const day = status.days.find((entry) => entry.day === report.day);
  if (day !== undefined) Object.assign(day, { differing: sum('differing'), equal: sum('equal'), pastMargin });
}
