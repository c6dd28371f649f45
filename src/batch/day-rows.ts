/**
 * One date's rows of a view table, as a reader of the tree gets them: the Delta table's live files of
 * `date=D` at its latest version (a compaction or a re-run batch day is then never read twice), or, for
 * a directory without a Delta log, the Parquet files under `date=D/`. Rows come back in dump order.
 */
import { viewSpec } from '../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../events/view-dump.ts';
import { readSnapshot } from '../storage/delta/read-snapshot.ts';
import { liveFiles } from '../storage/delta/snapshot.ts';
import { dataKey, type DeltaTable } from '../storage/delta/table-keys.ts';
import { readParquet } from '../storage/parquet-reader.ts';

export interface DayRows {
  rows: ViewRow[];
  /** The table version read; -1 when the directory has no Delta log. */
  version: number;
}

export async function readDayRows(table: DeltaTable, view: string, day: string): Promise<DayRows> {
  const { store, root } = table;
  const snapshot = await readSnapshot(table);
  const keys =
    snapshot.version >= 0
      ? liveFiles(snapshot, day).map((add) => dataKey(table, add.path))
      : (await store.list(`${root}/date=${day}/`)).filter((key) => key.endsWith('.parquet'));
  const rows: ViewRow[] = [];
  for (const key of keys) {
    const body = await store.get(key);
    if (body === undefined)
      throw new Error(`reconcile: ${store.url}${key} is gone (a compaction meanwhile?)`);
    rows.push(...((await readParquet(body)).rows as ViewRow[]));
  }
  return { rows: sortRows(viewSpec(view), rows), version: snapshot.version };
}
