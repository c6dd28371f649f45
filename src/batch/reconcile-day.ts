/**
 * `speed-layer reconcile --date D`: each view's batch rows of D (`batch_views/`) against the speed
 * layer's complete rows of D (`realtime_views/`, rows dated by window or session start as the batch's),
 * matched by key and compared (reconcile-diff.ts), with the late events of D that explain the
 * differences; written to `reconciliation/date=D.json` (docs/batch.md "Reconciliation"). Everything is
 * read and checked before the report is written.
 */
import type { ObjectStore } from '../storage/object-store.ts';
import { dayStartMs, dayWindow } from './batch-days.ts';
import { BatchError } from './batch-error.ts';
import { DEFAULT_BATCH_LAYOUT, batchTable, speedTable, type BatchLayout } from './batch-layout.ts';
import { topicsOf } from './compute-day.ts';
import { readDayRows } from './day-rows.ts';
import { countLateEvents } from './late-events.ts';
import { readManifest } from './manifest.ts';
import { compareViewRows } from './reconcile-diff.ts';
import { splitPastMargin } from './reconcile-margin.ts';
import {
  lateEvents,
  summaryLine,
  viewReconciliation,
  writeReport,
  type ReconciliationReport,
  type ViewReconciliation,
} from './reconcile-report.ts';
import { resolveViews } from './resolve-views.ts';

/** The same tolerance as `sameValue` (src/events/view-result.ts). */
const DOUBLE_TOLERANCE = 1e-9;

export interface ReconcileRequest {
  store: ObjectStore;
  day: string;
  /** Default: all 25. */
  views?: readonly string[];
  layout?: BatchLayout;
  /** How many differences and one-sided keys the report lists per view; default 10. */
  limit?: number;
  /**
   * Refuse a day of which no view asked for has a speed row (default true: a wrong day or root). After a
   * batch day it is false: a day with no events at all is reported too.
   */
  requireSpeedRows?: boolean;
  /** One line per view and one for the day, for stderr. */
  progress?: (line: string) => void;
  nowMs?: () => number;
}

export async function reconcileDay(request: ReconcileRequest): Promise<ReconciliationReport> {
  const { store, day, limit = 10, requireSpeedRows = true, progress = () => {}, nowMs = Date.now } = request;
  const layout = request.layout ?? DEFAULT_BATCH_LAYOUT;
  dayStartMs(day);
  const views = resolveViews(request.views);
  const computed = (await readManifest(store, layout)).days[day] ?? {};
  const missing = views.filter((spec) => computed[spec.name] === undefined).map((spec) => spec.name);
  if (missing.length > 0)
    throw new BatchError(
      'no_batch_day',
      `day ${day} has no batch rows yet for ${missing.length === views.length ? 'the views asked for' : missing.join(', ')}` +
        ` (speed-layer batch --date ${day} computes it once the day is closed)`,
    );

  const late = lateEvents(await countLateEvents(store, layout, topicsOf(views), day), views);
  const results: Record<string, ViewReconciliation> = {};
  for (const spec of views) {
    // One view at a time: only its counts and examples are kept.
    const [batch, speed] = await Promise.all([
      readDayRows(batchTable(store, layout, spec.name), spec.name, day),
      readDayRows(speedTable(store, layout, spec.name), spec.name, day),
    ]);
    // The batch rows were computed from events before this bound (the margin its manifest entry records).
    const { loadToMs } = dayWindow(day, computed[spec.name]!.margin_ms);
    const split = splitPastMargin(spec, batch.rows, speed.rows, loadToMs);
    const comparison = compareViewRows(spec, split.batch, split.speed, limit);
    const sides = {
      batchRows: batch.rows.length,
      speedRows: speed.rows.length,
      batchVersion: batch.version,
      speedVersion: speed.version,
    };
    results[spec.name] = viewReconciliation(spec, comparison, sides, late, limit, {
      loadToMs,
      rows: split.pastMargin,
    });
  }
  if (requireSpeedRows && Object.values(results).every((view) => view.speed_rows === 0))
    throw new BatchError(
      'no_speed_rows',
      `${store.url}${layout.viewsPrefix} has no row of day ${day} in ` +
        `${views.length === 1 ? views[0]!.name : `any of the ${views.length} views`}: nothing to reconcile`,
    );

  const report: ReconciliationReport = {
    format: 1,
    day,
    reconciled_at: new Date(nowMs()).toISOString(),
    double_tolerance: DOUBLE_TOLERANCE,
    late_events: late,
    views: results,
  };
  const key = await writeReport(store, layout, report);
  for (const [view, result] of Object.entries(results)) progress(summaryLine(day, view, result));
  progress(`day ${day}: ${late.total} late events; report ${store.url}${key}`);
  return report;
}
