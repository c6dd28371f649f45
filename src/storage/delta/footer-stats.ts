/**
 * The `stats` of an `add` read from the Parquet file's own footer, for a file whose rows are not at hand
 * (the raw archive's files, converted in a worker thread; a file another writer published; a merged
 * file). The writer (hyparquet-writer) keeps each column chunk's min, max and null count, so this costs
 * the footer's parse, not a pass over the values. Only what is exact is kept: numRecords, the null count
 * of every column, and min/max of millisecond timestamps and int64 columns (the bounds file-stats.ts
 * gives them from the rows). Strings (the footer's order and truncation are the writer's, not Spark's),
 * doubles and booleans get no bounds. A footer that cannot be read gives no stats: readers then just
 * cannot skip the file.
 */
import { parquetMetadata, type ColumnChunk, type FileMetaData, type SchemaElement } from 'hyparquet';
import { MAX_TIMESTAMP_MS, statsText, type StatsBound } from './file-stats.ts';

type Kind = 'timestamp' | 'int64' | 'other';

function kindOf(element: SchemaElement): Kind {
  if (element.type !== 'INT64') return 'other';
  const logical = element.logical_type;
  if (logical?.type === 'TIMESTAMP') return logical.unit === 'MILLIS' ? 'timestamp' : 'other';
  if (element.converted_type === 'TIMESTAMP_MILLIS') return 'timestamp';
  if (element.converted_type === undefined && (logical === undefined || logical.type === 'INTEGER'))
    return logical?.type === 'INTEGER' && !logical.isSigned ? 'other' : 'int64';
  return 'other';
}

/** A footer bound as the number (timestamp ms) or bigint it stands for; undefined when it is neither. */
function valueOf(kind: Kind, bound: unknown): bigint | number | undefined {
  if (kind === 'timestamp' && bound instanceof Date) return bound.getTime();
  if (kind === 'int64' && typeof bound === 'bigint') return bound;
  return undefined;
}

interface Column {
  name: string;
  kind: Kind;
  min?: bigint | number;
  max?: bigint | number;
  /** False once a row group with values has no bound: the column then gets none. */
  bounded: boolean;
  nulls?: number;
}

/** Folds one row group's chunk of a column into what is known of the column. */
function fold(column: Column, chunk: ColumnChunk | undefined, rowGroupRows: number): void {
  const statistics = chunk?.meta_data?.statistics;
  const nulls = statistics?.null_count;
  if (nulls === undefined) column.nulls = undefined;
  else if (column.nulls !== undefined) column.nulls += Number(nulls);
  if (column.kind === 'other' || !column.bounded) return;
  if (nulls !== undefined && Number(nulls) === rowGroupRows) return; // all null: nothing to bound
  const min = valueOf(column.kind, statistics?.min_value ?? statistics?.min);
  const max = valueOf(column.kind, statistics?.max_value ?? statistics?.max);
  if (min === undefined || max === undefined) {
    column.bounded = false;
    return;
  }
  if (column.min === undefined || min < column.min) column.min = min;
  if (column.max === undefined || max > column.max) column.max = max;
}

function boundText(column: Column, value: bigint | number): StatsBound | undefined {
  if (column.kind === 'int64') return value;
  const ms = Number(value);
  return ms >= 0 && ms <= MAX_TIMESTAMP_MS ? new Date(ms).toISOString() : undefined;
}

function statsOf(metadata: FileMetaData): string {
  const columns: Column[] = metadata.schema
    .slice(1)
    .map((element) => ({ name: element.name, kind: kindOf(element), bounded: true, nulls: 0 }));
  for (const group of metadata.row_groups) {
    const chunks = new Map(group.columns.map((chunk) => [chunk.meta_data?.path_in_schema.join('.'), chunk]));
    for (const column of columns) fold(column, chunks.get(column.name), Number(group.num_rows));
  }
  const mins: [string, StatsBound][] = [];
  const maxes: [string, StatsBound][] = [];
  for (const column of columns) {
    if (!column.bounded || column.min === undefined || column.max === undefined) continue;
    const [min, max] = [boundText(column, column.min), boundText(column, column.max)];
    if (min === undefined || max === undefined) continue;
    mins.push([column.name, min]);
    maxes.push([column.name, max]);
  }
  const nulls = columns.flatMap(({ name, nulls }) => (nulls === undefined ? [] : [[name, nulls] as const]));
  return statsText({ numRecords: Number(metadata.num_rows), mins, maxes, nulls });
}

/** The stats JSON of a Parquet file from its footer, or undefined when the footer cannot be read. */
export function footerStats(body: Uint8Array): string | undefined {
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(body);
  } catch {
    return undefined;
  }
  // Nested columns (none in our files) would need paths: such a file gets no stats rather than wrong ones.
  if (metadata.schema.slice(1).some((element) => (element.num_children ?? 0) > 0)) return undefined;
  return statsOf(metadata);
}
