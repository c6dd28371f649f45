/**
 * Test fixture: view rows written the way the processor publishes them (one Parquet file per date and
 * commit, `date=YYYY-MM-DD/<job>-<commit>.parquet`) and appended to the view's Delta table with the
 * commit number as txn version; plus the form Spark's JSON gives the same rows, to compare.
 */
import { utcDate } from '../../src/storage/layout.ts';
import type { ParquetColumn, ParquetRow } from '../../src/storage/parquet-columns.ts';
import { writeParquet } from '../../src/storage/parquet-writer.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import type { CommitResult } from '../../src/storage/delta/commit.ts';
import { describeFile, type DataFile } from '../../src/storage/delta/data-file.ts';
import type { DeltaSnapshot } from '../../src/storage/delta/snapshot.ts';
import type { DeltaTable } from '../../src/storage/delta/table-keys.ts';
import type { DeltaWriteOptions } from '../../src/storage/delta/write-options.ts';

export interface ViewCommit {
  job: string;
  commit: number;
  columns: readonly ParquetColumn[];
  rows: readonly ParquetRow[];
  from?: DeltaSnapshot;
}

/** Writes one file per UTC date of the first column, then appends them with txn (job, commit). */
export async function publishViewCommit(
  table: DeltaTable,
  { job, commit, columns, rows, from }: ViewCommit,
  options: DeltaWriteOptions = {},
): Promise<CommitResult> {
  const byDate = new Map<string, ParquetRow[]>();
  for (const row of rows) {
    const date = utcDate(Number(row[columns[0]!.name]));
    byDate.set(date, [...(byDate.get(date) ?? []), row]);
  }
  const files: DataFile[] = [];
  for (const [date, dateRows] of byDate) {
    const path = `date=${date}/${job}-${String(commit).padStart(12, '0')}.parquet`;
    const body = writeParquet(columns, dateRows);
    await table.store.put(`${table.root}/${path}`, body);
    files.push(describeFile({ path, body, columns, rows: dateRows, modificationTimeMs: Date.now() }));
  }
  return appendFiles(
    table,
    { columns, files, txn: { appId: job, version: commit }, ...(from && { from }) },
    options,
  );
}

/** A row as Spark's JSON shows it: timestamps ISO UTC, longs as strings, json as its text, plus `date`. */
export function sparkRow(columns: readonly ParquetColumn[], row: ParquetRow): Record<string, unknown> {
  const spark: Record<string, unknown> = {};
  for (const { name, type } of columns) {
    const value = row[name];
    if (value === null || value === undefined) spark[name] = null;
    else if (type === 'timestamp') spark[name] = new Date(Number(value)).toISOString();
    else if (type === 'int64') spark[name] = String(value);
    else if (type === 'json') spark[name] = JSON.stringify(value);
    else spark[name] = value;
  }
  spark.date = utcDate(Number(row[columns[0]!.name]));
  return spark;
}

/** Rows in a canonical order, for comparing two unordered row sets. */
export function sortedRows(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const keyed = rows.map((row) => ({
    row,
    key: JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1))),
  }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ row }) => row);
}
