/**
 * The batch side of an answer: the rows of batch_views/<view>/date=D/ for the covered days a range
 * touches, each day read from the view's Delta table (its live files, so a re-run day is never read
 * twice) and kept in the LRU under (view, day, table version): a recomputed day gets a new key.
 */
import { DAY_MS } from '../batch/batch-days.ts';
import { batchTable, type BatchLayout } from '../batch/batch-layout.ts';
import { readDayRows } from '../batch/day-rows.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { LruCache } from './lru-cache.ts';
import type { BatchCoverage } from './time-boundary.ts';

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export async function batchRowsIn(
  source: { store: ObjectStore; layout: BatchLayout; cache: LruCache<ViewRow[]> },
  view: string,
  coverage: BatchCoverage,
  range: TimeRange,
  startColumn: string,
): Promise<ViewRow[]> {
  const rows: ViewRow[] = [];
  for (const { day, startMs, tableVersion } of coverage.days) {
    if (startMs + DAY_MS <= range.fromMs || startMs >= range.toMs) continue;
    const key = `batch/${view}/${day}/${tableVersion}`;
    let dayRows = source.cache.get(key);
    if (dayRows === undefined) {
      dayRows = (await readDayRows(batchTable(source.store, source.layout, view), view, day)).rows;
      source.cache.set(key, dayRows);
    }
    for (const row of dayRows) {
      const startMs = Number(row[startColumn]);
      if (startMs >= range.fromMs && startMs < range.toMs) rows.push(row);
    }
  }
  return rows;
}
