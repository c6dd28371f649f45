/**
 * Publishes one view's rows of one day: a Parquet file of the catalog's columns (rows in dump order)
 * under `batch_views/<view>/date=D/`, then one Delta version that swaps the day's previous files for it
 * (replacePartition), then every other file of the date folder is deleted — the previous computation's,
 * as the speed layer's compaction does (so time travel to it is not kept), and those of a run killed
 * before its commit. One batch writer at a time (docs/batch.md). A day without rows becomes empty.
 */
import type { ViewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import { describeFile, type DataFile } from '../storage/delta/data-file.ts';
import { readSnapshot } from '../storage/delta/read-snapshot.ts';
import { replacePartition } from '../storage/delta/replace-partition.ts';
import { dataKey } from '../storage/delta/table-keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { ParquetColumn } from '../storage/parquet-columns.ts';
import { writeParquet } from '../storage/parquet-writer.ts';
import { batchTable, type BatchLayout } from './batch-layout.ts';

export interface ViewDayWrite {
  /** The table version holding the day now. */
  version: number;
  rows: number;
}

export function viewColumns(spec: ViewSpec): ParquetColumn[] {
  return spec.columns.map(({ name, type }) => ({ name, type }));
}

export async function writeViewDay(
  store: ObjectStore,
  layout: BatchLayout,
  input: { spec: ViewSpec; day: string; rows: readonly ViewRow[]; runId: string; nowMs: number },
): Promise<ViewDayWrite> {
  const { spec, day, rows, runId, nowMs } = input;
  const table = batchTable(store, layout, spec.name);
  const columns = viewColumns(spec);
  const files: DataFile[] = [];
  if (rows.length > 0) {
    const path = `date=${day}/batch-${runId}.parquet`;
    const body = writeParquet(columns, rows);
    await store.put(`${table.root}/${path}`, body); // before the commit: readers may open it right after
    files.push(describeFile({ path, body, columns, rows, modificationTimeMs: nowMs }));
  }
  const before = await readSnapshot(table);
  const result = await replacePartition(
    table,
    { columns, date: day, files, tableName: spec.name, from: before },
    { nowMs: () => nowMs },
  );
  if (result.outcome !== 'committed') throw new Error(`batch: ${spec.name} ${day}: nothing committed`);
  // Everything in the date folder but the new file goes: the replaced files, and any file a run killed
  // between its put and its commit left behind (no table names it; plain readers would count it).
  const kept = new Set(files.map((file) => dataKey(table, file.path)));
  const stale = (await store.list(`${table.root}/date=${day}/`)).filter((key) => !kept.has(key));
  await store.deleteMany(stale);
  return { version: result.version, rows: rows.length };
}
