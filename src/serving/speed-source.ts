/**
 * The speed side of an answer: the view's complete rows through ViewQuery (src/processor/query), the
 * same rows `speed-layer query` prints. A UTC date whose windows are all complete (complete_through
 * has passed its end plus the window's tail) never changes again, so its rows are kept in the LRU;
 * the open end of the range is read from storage each time.
 */
import { DAY_MS } from '../batch/batch-days.ts';
import { viewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { StartRange } from '../processor/query/start-range.ts';
import type { ViewQuery } from '../processor/query/view-query.ts';
import type { TimeRange } from './batch-source.ts';
import type { LruCache } from './lru-cache.ts';
import { completionTailMs } from './view-windows.ts';

/** complete_through of the view's job: −∞ before its first completion. */
export async function completeThroughMs(query: ViewQuery, view: string): Promise<number> {
  return (await query.jobCompleteness(viewSpec(view).job)).watermarkMs;
}

/** Complete rows starting in `range`; `completeMs` is a complete_through read before (rows may be newer). */
export async function speedRowsIn(
  source: { query: ViewQuery; cache: LruCache<ViewRow[]> },
  view: string,
  range: TimeRange,
  completeMs: number,
): Promise<ViewRow[]> {
  const tailMs = completionTailMs(view);
  const rows: ViewRow[] = [];
  let fromMs = range.fromMs;
  while (fromMs < range.toMs) {
    const dayStartMs = Math.floor(fromMs / DAY_MS) * DAY_MS;
    const dayEndMs = dayStartMs + DAY_MS;
    // An open start, or a date that may still grow: read the rest below.
    if (!Number.isFinite(fromMs) || dayEndMs + tailMs > completeMs) break;
    const key = `speed/${view}/${dayStartMs}`;
    let dayRows = source.cache.get(key);
    if (dayRows === undefined) {
      dayRows = (await source.query.query({ view, fromMs: dayStartMs, toMs: dayEndMs })).rows;
      source.cache.set(key, dayRows);
    }
    const toMs = Math.min(dayEndMs, range.toMs);
    const startColumn = viewSpec(view).columns[0]!.name;
    for (const row of dayRows) {
      const startMs = Number(row[startColumn]);
      if (startMs >= fromMs && startMs < toMs) rows.push(row);
    }
    fromMs = dayEndMs;
  }
  if (fromMs < range.toMs) {
    const rest: StartRange = {}; // ViewQuery takes an open end as undefined
    if (Number.isFinite(fromMs)) rest.fromMs = fromMs;
    if (Number.isFinite(range.toMs)) rest.toMs = range.toMs;
    rows.push(...(await source.query.query({ view, ...rest })).rows);
  }
  return rows;
}
