/**
 * `reconciliation/date=D.json`: per view, how the speed layer's complete rows of day D compare with the
 * batch rows of D (counts, the largest differences, the first keys found on one side only), and the late
 * events of D per topic and job that explain them (docs/batch.md "Reconciliation").
 */
import { JOB_TOPICS, type JobName } from '../events/topics.ts';
import type { ViewSpec } from '../events/view-catalog.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { reconciliationKey, type BatchLayout } from './batch-layout.ts';
import type { ColumnDifference, RowKey, ViewComparison } from './reconcile-diff.ts';
import type { PastMarginRow } from './reconcile-margin.ts';

export interface ViewReconciliation {
  job: JobName;
  batch_rows: number;
  speed_rows: number;
  equal: number;
  differing: number;
  only_batch: number;
  only_speed: number;
  /** Late events of the day on the view's topics. */
  late_events: number;
  /** The table versions read (-1: a directory without Delta log). */
  batch_table_version: number;
  speed_table_version: number;
  largest_differences: ColumnDifference[];
  /** The first keys (dump order) found on one side only. */
  only_batch_keys: RowKey[];
  only_speed_keys: RowKey[];
  /** Session views only: the sessions the batch cut at its load window (reconcile-margin.ts). */
  past_margin?: PastMargin;
}

/**
 * Sessions of the day whose batch row ends past the load window and whose speed row ends later or is not
 * published yet: the margin explains them (docs/batch.md "Limits"), so they are not among `differing` or
 * `only_batch`.
 */
export interface PastMargin {
  rows: number;
  /** D + 1 day + L: the batch read the events before it. */
  load_window_end: string;
  /** The first of them (dump order). */
  sessions: PastMarginRow[];
}

export interface LateEvents {
  total: number;
  by_topic: Record<string, number>;
  by_job: Partial<Record<JobName, number>>;
}

export interface ReconciliationReport {
  format: 1;
  day: string;
  reconciled_at: string;
  /** Doubles agree within this relative difference (src/events/view-result.ts `sameValue`). */
  double_tolerance: number;
  late_events: LateEvents;
  views: Record<string, ViewReconciliation>;
}

/** Per-topic late counts summed per job of the views. */
export function lateEvents(byTopic: Record<string, number>, views: readonly ViewSpec[]): LateEvents {
  const byJob: Partial<Record<JobName, number>> = {};
  for (const { job } of views)
    byJob[job] = JOB_TOPICS[job].reduce((sum, topic) => sum + (byTopic[topic] ?? 0), 0);
  const total = Object.values(byTopic).reduce((sum, count) => sum + count, 0);
  return { total, by_topic: byTopic, by_job: byJob };
}

export function viewReconciliation(
  spec: ViewSpec,
  comparison: ViewComparison,
  sides: { batchRows: number; speedRows: number; batchVersion: number; speedVersion: number },
  late: LateEvents,
  limit: number,
  margin: { loadToMs: number; rows: readonly PastMarginRow[] },
): ViewReconciliation {
  const pastMargin: PastMargin = {
    rows: margin.rows.length,
    load_window_end: new Date(margin.loadToMs).toISOString(),
    sessions: margin.rows.slice(0, limit),
  };
  return {
    job: spec.job,
    batch_rows: sides.batchRows,
    speed_rows: sides.speedRows,
    equal: comparison.equal,
    differing: comparison.differing.length,
    only_batch: comparison.onlyBatch.length,
    only_speed: comparison.onlySpeed.length,
    late_events: late.by_job[spec.job] ?? 0,
    batch_table_version: sides.batchVersion,
    speed_table_version: sides.speedVersion,
    largest_differences: comparison.largest,
    only_batch_keys: comparison.onlyBatch.slice(0, limit),
    only_speed_keys: comparison.onlySpeed.slice(0, limit),
    ...(spec.timing === 'session' && { past_margin: pastMargin }),
  };
}

/** The stderr line of one view. */
export function summaryLine(day: string, view: string, r: ViewReconciliation): string {
  return (
    `day ${day} ${view}: ${r.equal} equal, ${r.differing} differing, ${r.only_batch} only in batch, ` +
    `${r.only_speed} only in speed` +
    (r.past_margin?.rows ? `, ${r.past_margin.rows} sessions cut by the margin` : '') +
    ` (${r.late_events} late events of ${r.job})`
  );
}

export async function writeReport(
  store: ObjectStore,
  layout: BatchLayout,
  report: ReconciliationReport,
): Promise<string> {
  const key = reconciliationKey(layout, report.day);
  await store.put(key, Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8'));
  return key;
}
