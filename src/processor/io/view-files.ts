/**
 * The Parquet files one commit (or completion) publishes for one view: rows grouped by the UTC date of
 * their first time column (window_start or session_start), one file per date under
 * `<prefix><view>/date=YYYY-MM-DD/` — the partials tree for a commit's partial rows, the views tree for
 * complete rows.
 */
import type { ParquetColumn, ParquetRow } from '../../storage/parquet-columns.ts';
import { writeParquet } from '../../storage/parquet-writer.ts';
import { DEFAULT_LAYOUT, utcDate, type OutputFile } from '../../storage/layout.ts';

/** An output file with the rows written into it (Delta stats are computed from them). */
export interface ViewOutputFile extends OutputFile {
  rows: readonly ParquetRow[];
}

export function viewOutputFiles(
  view: string,
  columns: readonly ParquetColumn[],
  rows: readonly ParquetRow[],
  prefix: string = DEFAULT_LAYOUT.viewsPrefix,
): ViewOutputFile[] {
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
    dir: `${prefix}${view}/date=${date}`,
    extension: 'parquet',
    body: writeParquet(columns, dateRows),
    rows: dateRows,
  }));
}
