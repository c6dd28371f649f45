/**
 * The Parquet files one commit publishes for one view: rows grouped by the UTC date of their first time
 * column (window_start or session_start), one file per date (semantics.md: at most one per view and date).
 */
import type { ParquetColumn, ParquetRow } from '../../storage/parquet-columns.ts';
import { writeParquet } from '../../storage/parquet-writer.ts';
import {
  DEFAULT_LAYOUT,
  utcDate,
  viewDateDir,
  type OutputFile,
  type StorageLayout,
} from '../../storage/layout.ts';

export function viewOutputFiles(
  view: string,
  columns: readonly ParquetColumn[],
  rows: readonly ParquetRow[],
  layout: StorageLayout = DEFAULT_LAYOUT,
): OutputFile[] {
  const timeColumn = columns[0];
  if (timeColumn?.type !== 'timestamp') throw new Error(`${view}: the first column must be a timestamp`);
  const rowsByDate = new Map<string, ParquetRow[]>();
  for (const row of rows) {
    const date = utcDate(Number(row[timeColumn.name]));
    const group = rowsByDate.get(date);
    if (group === undefined) rowsByDate.set(date, [row]);
    else group.push(row);
  }
  return [...rowsByDate].map(([date, dateRows]) => ({
    dir: viewDateDir(layout, view, date),
    extension: 'parquet',
    body: writeParquet(columns, dateRows),
  }));
}
