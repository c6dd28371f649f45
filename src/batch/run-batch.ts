/**
 * `speed-layer batch`: recomputes views for whole UTC days from the raw archive with the oracle's SQL
 * (docs/batch.md). Everything is checked before anything is written; then day by day, and within a day
 * job by job: the job's archive files of the day and its margins are read (in place, or copied from S3)
 * into a DuckDB database file, its views computed, each view's day replaced in its Delta table in one
 * version; then the day is recorded in the manifest and reconciled against the speed layer's rows
 * (reconcile-day.ts) unless asked not to.
 */
import { randomBytes } from 'node:crypto';
import type { Topic } from '../events/topics.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { dayKeys, readArchive, type TopicArchive } from './archive-tables.ts';
import { DEFAULT_MARGIN_MS, checkMargin, type DayWindow } from './batch-days.ts';
import { isBatchError } from './batch-error.ts';
import { DEFAULT_BATCH_LAYOUT, type BatchLayout } from './batch-layout.ts';
import { loadDay, topicsOf, viewRowsOfDay, viewsByJob, type LoadedDay } from './compute-day.ts';
import { DEFAULT_MEMORY_LIMIT, type DayDatabaseOptions } from './day-database.ts';
import { readCompleteThrough } from './completeness.ts';
import { localCopies } from './local-archive.ts';
import { readManifest, withDay, writeManifest, type ViewDayEntry } from './manifest.ts';
import { planDays, type DaySelection, type PlannedDay } from './plan-days.ts';
import { reconcileDay } from './reconcile-day.ts';
import type { ReconciliationReport } from './reconcile-report.ts';
import { resolveViews } from './resolve-views.ts';
import { writeViewDay } from './write-view-day.ts';

export interface BatchRequest {
  store: ObjectStore;
  selection: DaySelection;
  /** Default: all 25. */
  views?: readonly string[];
  layout?: BatchLayout;
  /** The session gap of the views; default 10 min (the contract's). */
  sessionGapMs?: number;
  /** L of docs/batch.md; default 1 h. */
  marginMs?: number;
  /** DuckDB's memory_limit for a day's database; default DEFAULT_MEMORY_LIMIT (docs/batch.md "Memory"). */
  memoryLimit?: string;
  /** One line per step, for stderr. */
  progress?: (line: string) => void;
  nowMs?: () => number;
  /** Reconcile each computed day (its computed views) against the speed layer; default true. */
  reconcile?: boolean;
  /** Each reconciliation written (the `--every` loop's gauges). */
  onReconciled?: (report: ReconciliationReport) => void;
}

export interface BatchDayResult {
  day: string;
  views: { view: string; rows: number; version: number }[];
  events: number;
  cutSessions: number;
  /** Absent with `reconcile: false`, or when reconciling failed (reported on `progress`). */
  reconciliation?: ReconciliationReport;
}

export async function runBatch(request: BatchRequest): Promise<BatchDayResult[]> {
  const { store, progress = () => {}, nowMs = Date.now } = request;
  const layout = request.layout ?? DEFAULT_BATCH_LAYOUT;
  const sessionGapMs = request.sessionGapMs ?? 600_000;
  const marginMs = request.marginMs ?? DEFAULT_MARGIN_MS;
  const views = resolveViews(request.views);
  checkMargin(marginMs, sessionGapMs);
  const database = { sessionGapMs, memoryLimit: request.memoryLimit ?? DEFAULT_MEMORY_LIMIT };
  const [archive, completeThrough] = await Promise.all([
    readArchive(store, layout, topicsOf(views)),
    readCompleteThrough(
      store,
      layout,
      views.map((spec) => spec.name),
    ),
  ]);
  let manifest = await readManifest(store, layout);
  const plan = planDays({
    selection: request.selection,
    views,
    marginMs,
    archive,
    completeThrough,
    manifest,
  });
  progress(plan.length === 0 ? 'nothing to compute' : `${plan.length} day(s) to compute`);
  const results: BatchDayResult[] = [];
  for (const [index, day] of plan.entries()) {
    const startedMs = performance.now();
    const result = await runDay({ store, layout, archive, database, nowMs: nowMs() }, day);
    const entries: Record<string, ViewDayEntry> = {};
    for (const { view, rows, version } of result.views) {
      const spec = views.find((candidate) => candidate.name === view)!;
      const used = Object.fromEntries(topicsOf([spec]).map((topic) => [topic, day.archive[topic]!]));
      const computedAt = new Date(nowMs()).toISOString();
      entries[view] = {
        computed_at: computedAt,
        rows,
        table_version: version,
        margin_ms: marginMs,
        archive: used,
      };
    }
    manifest = withDay(manifest, day.window.day, entries);
    await writeManifest(store, layout, manifest);
    const rows = result.views.reduce((sum, view) => sum + view.rows, 0);
    progress(
      `day ${day.window.day} (${index + 1}/${plan.length}): ${result.events} events → ${rows} rows of ` +
        `${result.views.length} views in ${((performance.now() - startedMs) / 1000).toFixed(1)} s` +
        (result.cutSessions > 0
          ? `; ${result.cutSessions} sessions run past the margin (docs/batch.md)`
          : ''),
    );
    if (request.reconcile !== false) {
      const report = await reconcileComputed(request, layout, result, progress);
      if (report !== undefined) result.reconciliation = report;
    }
    results.push(result);
  }
  return results;
}

/**
 * Reconciles a day just computed. The day is in the tables and the manifest already, so a failure here
 * (a store that did not answer) is reported, not thrown: `speed-layer reconcile --date D` can redo it.
 */
async function reconcileComputed(
  request: BatchRequest,
  layout: BatchLayout,
  result: BatchDayResult,
  progress: (line: string) => void,
): Promise<ReconciliationReport | undefined> {
  try {
    const report = await reconcileDay({
      store: request.store,
      day: result.day,
      views: result.views.map((view) => view.view),
      layout,
      requireSpeedRows: false,
      progress,
      ...(request.nowMs && { nowMs: request.nowMs }),
    });
    request.onReconciled?.(report);
    return report;
  } catch (error) {
    if (isBatchError(error)) throw error;
    progress(`day ${result.day}: not reconciled (${(error as Error).message ?? String(error)})`);
    return undefined;
  }
}

interface DayContext {
  store: ObjectStore;
  layout: BatchLayout;
  /** The archive as planned: the day reads the files its manifest entry records. */
  archive: ReadonlyMap<string, TopicArchive>;
  database: DayDatabaseOptions;
  nowMs: number;
}

/**
 * One day, one job at a time: the job's archive files are read (copied when remote, deleted once
 * loaded) into a day database, then each of its views is computed and written before the next one.
 */
async function runDay(context: DayContext, { window, views }: PlannedDay): Promise<BatchDayResult> {
  const { store, layout, nowMs } = context;
  const runId = `${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  const result: BatchDayResult = { day: window.day, views: [], events: 0, cutSessions: 0 };
  for (const jobViews of viewsByJob(views).values()) {
    const { database, events } = await loadJobDay(context, window, topicsOf(jobViews));
    try {
      result.events += events;
      for (const spec of jobViews) {
        const { rows, cutSessions } = await viewRowsOfDay(database, window, spec);
        const { version } = await writeViewDay(store, layout, { spec, day: window.day, rows, runId, nowMs });
        result.views.push({ view: spec.name, rows: rows.length, version });
        result.cutSessions += cutSessions;
      }
    } finally {
      await database.close();
    }
  }
  return result;
}

async function loadJobDay(
  { store, layout, archive, database }: DayContext,
  window: DayWindow,
  topics: readonly Topic[],
): Promise<LoadedDay> {
  // Only the files whose event times meet the load window: a busy next date is mostly past it.
  const keysByTopic = topics.map(
    (topic) => [topic, dayKeys(store, layout, archive.get(topic)!, window)] as const,
  );
  const local = await localCopies(
    store,
    keysByTopic.flatMap(([, keys]) => keys),
  );
  try {
    let next = 0;
    const pathsByTopic = new Map<Topic, string[]>();
    for (const [topic, keys] of keysByTopic)
      pathsByTopic.set(topic, local.paths.slice(next, (next += keys.length)));
    return await loadDay(window, pathsByTopic, database);
  } finally {
    await local.release();
  }
}
