/**
 * One day's batch rows: the oracle's session (its `events` table and prelude) filled from the archive
 * over the day's load window, the oracle's query of each view, then only the rows that start in the day,
 * in dump order. Late events count: the archive holds them and nothing here filters on speed_status.
 */
import { JOB_TOPICS, type Topic } from '../events/topics.ts';
import type { ViewSpec } from '../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../events/view-dump.ts';
import { withSession } from '../oracle/oracle-session.ts';
import { loadArchiveEvents } from './archive-events.ts';
import type { DayWindow } from './batch-days.ts';

export interface DayRows {
  rowsByView: Map<string, ViewRow[]>;
  /** Events loaded (the day and its margins). */
  events: number;
  /** Sessions of the day that may run on past the load window (docs/batch.md "Limits"). */
  cutSessions: number;
}

/** The topics the views read. */
export function topicsOf(views: readonly ViewSpec[]): Topic[] {
  return [...new Set(views.flatMap((spec) => JOB_TOPICS[spec.job]))];
}

export async function computeDay(
  window: DayWindow,
  views: readonly ViewSpec[],
  pathsByTopic: ReadonlyMap<Topic, readonly string[]>,
  sessionGapMs: number,
): Promise<DayRows> {
  return withSession(async (session) => {
    let events = 0;
    for (const [topic, paths] of pathsByTopic)
      events += await loadArchiveEvents(session.connection, topic, paths, window.loadFromMs, window.loadToMs);
    await session.setSessionGap(sessionGapMs);
    const rowsByView = new Map<string, ViewRow[]>();
    let cutSessions = 0;
    for (const spec of views) {
      const [start, end] = [spec.columns[0]!.name, spec.columns[1]!.name];
      const rows = (await session.queryView(spec)).filter((row) => {
        const startMs = Number(row[start]);
        return startMs >= window.dayStartMs && startMs < window.dayEndMs;
      });
      // A session whose end passes the load window may have had more events after it.
      if (spec.timing === 'session')
        cutSessions += rows.filter((row) => Number(row[end]) > window.loadToMs).length;
      rowsByView.set(spec.name, sortRows(spec, rows));
    }
    return { rowsByView, events, cutSessions };
  });
}
