/**
 * One job's share of a day's batch rows: a day database (day-database.ts) filled from the job's archive
 * files over the day's load window, then the oracle's query of each of its views, keeping the rows that
 * start in the day, in dump order. One job at a time and one view at a time keeps memory bounded: only
 * the job's topics are loaded, and only one view's rows are held. Late events count: the archive holds
 * them and nothing here filters on speed_status.
 */
import { JOB_TOPICS, type JobName, type Topic } from '../events/topics.ts';
import type { ViewSpec } from '../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../events/view-dump.ts';
import { loadArchiveEvents } from './archive-events.ts';
import type { DayWindow } from './batch-days.ts';
import { openDayDatabase, type DayDatabase, type DayDatabaseOptions } from './day-database.ts';

/** The topics the views read. */
export function topicsOf(views: readonly ViewSpec[]): Topic[] {
  return [...new Set(views.flatMap((spec) => JOB_TOPICS[spec.job]))];
}

/** The views grouped by job, in the order of their first view. */
export function viewsByJob(views: readonly ViewSpec[]): Map<JobName, ViewSpec[]> {
  const byJob = new Map<JobName, ViewSpec[]>();
  for (const spec of views) byJob.set(spec.job, [...(byJob.get(spec.job) ?? []), spec]);
  return byJob;
}

export interface LoadedDay {
  database: DayDatabase;
  /** Events loaded (the day and its margins). */
  events: number;
}

/** A day database holding the events of `pathsByTopic` (archive files per topic) in the load window. */
export async function loadDay(
  window: DayWindow,
  pathsByTopic: ReadonlyMap<Topic, readonly string[]>,
  options: DayDatabaseOptions,
): Promise<LoadedDay> {
  const database = await openDayDatabase(options);
  try {
    let events = 0;
    for (const [topic, paths] of pathsByTopic)
      events += await loadArchiveEvents(
        database.connection,
        topic,
        paths,
        window.loadFromMs,
        window.loadToMs,
      );
    return { database, events };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export interface ViewDayRows {
  rows: ViewRow[];
  /** Sessions of the day that may run on past the load window (docs/batch.md "Limits"). */
  cutSessions: number;
}

/** One view's rows of the day from a loaded day database. */
export async function viewRowsOfDay(
  database: DayDatabase,
  window: DayWindow,
  spec: ViewSpec,
): Promise<ViewDayRows> {
  const [start, end] = [spec.columns[0]!.name, spec.columns[1]!.name];
  const rows = (await database.queryView(spec)).filter((row) => {
    const startMs = Number(row[start]);
    return startMs >= window.dayStartMs && startMs < window.dayEndMs;
  });
  // A session whose end passes the load window may have had more events after it.
  const cutSessions =
    spec.timing === 'session' ? rows.filter((row) => Number(row[end]) > window.loadToMs).length : 0;
  return { rows: sortRows(spec, rows), cutSessions };
}
