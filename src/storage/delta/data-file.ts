/**
 * A Parquet data file as the log records it: path under the table root, partition, size, time and stats.
 * The file must be in the store before the commit that adds it (readers may open it right after).
 */
import type { ParquetColumn, ParquetRow } from '../parquet-columns.ts';
import type { AddAction } from './actions.ts';
import { fileStats } from './file-stats.ts';
import { footerStats } from './footer-stats.ts';
import { PARTITION_COLUMN } from './schema.ts';
import { partitionDateOfPath, toDeltaPath } from './table-keys.ts';

export interface DataFile {
  /** Key relative to the table root, `date=YYYY-MM-DD/<name>.parquet`; the date is the partition value. */
  path: string;
  sizeBytes: number;
  modificationTimeMs: number;
  /** The stats JSON (file-stats.ts); without it readers cannot skip the file. */
  stats?: string;
}

export interface DescribeFileInput {
  path: string;
  /** The file's bytes, as written by writeParquet(columns, rows). */
  body: Uint8Array;
  columns: readonly ParquetColumn[];
  rows: readonly ParquetRow[];
  modificationTimeMs: number;
}

/** A DataFile with size and stats computed from the bytes and rows that were written. */
export function describeFile(input: DescribeFileInput): DataFile {
  partitionDateOfPath(input.path);
  return {
    path: input.path,
    sizeBytes: input.body.byteLength,
    modificationTimeMs: input.modificationTimeMs,
    stats: fileStats(input.columns, input.rows),
  };
}

/**
 * A DataFile of a Parquet file whose rows are not at hand: stats from its footer (footer-stats.ts), none
 * when the bytes are not a Parquet file.
 */
export function describeParquetFile(input: Omit<DescribeFileInput, 'columns' | 'rows'>): DataFile {
  partitionDateOfPath(input.path);
  const stats = footerStats(input.body);
  return {
    path: input.path,
    sizeBytes: input.body.byteLength,
    modificationTimeMs: input.modificationTimeMs,
    ...(stats === undefined ? {} : { stats }),
  };
}

export function addOf(file: DataFile, dataChange: boolean): AddAction {
  return {
    path: toDeltaPath(file.path),
    partitionValues: { [PARTITION_COLUMN]: partitionDateOfPath(file.path) },
    size: file.sizeBytes,
    modificationTime: file.modificationTimeMs,
    dataChange,
    ...(file.stats === undefined ? {} : { stats: file.stats }),
  };
}
