/**
 * The speed side of an answer: the view's complete rows through ViewQuery (src/processor/query), the
 * same rows `speed-layer query` prints. A UTC date whose windows are all complete (complete_through
 * has passed its end plus the window's tail) never changes again, so its rows are kept in the LRU;
 * the open end of the range is read from storage each time. Only dates that hold rows are read: a
 * range of a century costs one listing, not one read per day.
 */
import { DAY_MS } from '../batch/batch-days.ts';
import { viewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { StartRange } from '../processor/query/start-range.ts';
import type { ViewQuery } from '../processor/query/view-query.ts';
import type { TimeRange } from './batch-source.ts';
import type { LruCache } from './lru-cache.ts';
import { completionTailMs } from './view-windows.ts';

export interface SpeedSource {
  query: ViewQuery;
  cache: LruCache<ViewRow[]>;
}

/** complete_through of the view's job: −∞ before its first completion. */
export async function completeThroughMs(query: ViewQuery, view: string): Promise<number> {
  return (await query.jobCompleteness(viewSpec(view).job)).watermarkMs;
}

/** Complete rows starting in `range`; `completeMs` is a complete_through read before (rows may be newer). */
export async function speedRowsIn(
  source: SpeedSource,
  view: string,
  range: TimeRange,
  completeMs: number,
): Promise<ViewRow[]> {
  const startColumn = viewSpec(view).columns[0]!.name;
  // Closed dates: [first day of the range, the end of the last date complete_through has closed).
  const firstDayMs = Math.floor(range.fromMs / DAY_MS) * DAY_MS;
  const closedEndMs = Math.min(
    Math.floor((completeMs - completionTailMs(view)) / DAY_MS) * DAY_MS,
    Math.ceil(range.toMs / DAY_MS) * DAY_MS,
  );
  const rows: ViewRow[] = [];
  let restFromMs = range.fromMs;
  // An open start is read in one piece below.
  if (Number.isFinite(firstDayMs) && closedEndMs > firstDayMs) {
    for (const dayMs of await closedDays(source, view, firstDayMs, closedEndMs)) {
      const key = dayKey(view, dayMs);
      let dayRows = source.cache.get(key);
      if (dayRows === undefined) {
        dayRows = (await source.query.query({ view, fromMs: dayMs, toMs: dayMs + DAY_MS })).rows;
        source.cache.set(key, dayRows);
      }
      for (const row of dayRows) {
        const startMs = Number(row[startColumn]);
        if (startMs >= range.fromMs && startMs < range.toMs) rows.push(row);
      }
    }
    restFromMs = closedEndMs;
  }
  // The dates that may still grow.
  if (restFromMs < range.toMs) {
    const rest: StartRange = {}; // ViewQuery takes an open end as undefined
    if (Number.isFinite(restFromMs)) rest.fromMs = restFromMs;
    if (Number.isFinite(range.toMs)) rest.toMs = range.toMs;
    rows.push(...(await source.query.query({ view, ...rest })).rows);
  }
  return rows;
}

function dayKey(view: string, dayMs: number): string {
  return `speed/${view}/${dayMs}`;
}

/**
 * The closed days of [fromMs, toMs) to read: all of them when each is in the LRU already (a repeated
 * narrow range costs no listing), otherwise the days with a date folder (one listing). For a range the
 * LRU can hold, the days without one are kept as empty, so that asking again lists nothing.
 */
async function closedDays(
  source: SpeedSource,
  view: string,
  fromMs: number,
  toMs: number,
): Promise<number[]> {
  const count = (toMs - fromMs) / DAY_MS;
  const days =
    count <= source.cache.maxEntries ? Array.from({ length: count }, (_, i) => fromMs + i * DAY_MS) : [];
  if (days.length > 0 && days.every((dayMs) => source.cache.has(dayKey(view, dayMs)))) return days;
  const listed = (await source.query.rowDays(view)).filter((dayMs) => dayMs >= fromMs && dayMs < toMs);
  const withRows = new Set(listed);
  for (const dayMs of days) if (!withRows.has(dayMs)) source.cache.set(dayKey(view, dayMs), []);
  return days.length > 0 ? days : listed;
}
