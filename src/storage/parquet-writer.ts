/**
 * Rows → one Parquet file in memory, via hyparquet-writer (SNAPPY, nullable columns). Timestamps are
 * INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true), int64 is INT64, double DOUBLE, string and json UTF8
 * BYTE_ARRAY, boolean BOOLEAN. The column list goes into the file's key-value metadata for readParquet.
 */
import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter, parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { PACKAGE_VERSION } from '../shared/version.ts';
import {
  COLUMNS_METADATA_KEY,
  type ParquetColumn,
  type ParquetColumnType,
  type ParquetRow,
  type ParquetValue,
} from './parquet-columns.ts';

type SchemaFields = Omit<SchemaElement, 'name'>;

const OPTIONAL = 'OPTIONAL' as const;

const SCHEMA_BY_TYPE: Record<ParquetColumnType, SchemaFields> = {
  timestamp: {
    type: 'INT64',
    repetition_type: OPTIONAL,
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  int64: { type: 'INT64', repetition_type: OPTIONAL },
  double: { type: 'DOUBLE', repetition_type: OPTIONAL },
  string: { type: 'BYTE_ARRAY', repetition_type: OPTIONAL, converted_type: 'UTF8' },
  json: { type: 'BYTE_ARRAY', repetition_type: OPTIONAL, converted_type: 'UTF8' },
  boolean: { type: 'BOOLEAN', repetition_type: OPTIONAL },
};

export interface ParquetWriteOptions {
  /** Rows per row group; default 100,000 (one group for a typical commit). */
  rowGroupSize?: number;
}

/** Logical values of one column, in row order: what a row holds under the column's name. */
export type ParquetColumnValues = readonly (ParquetValue | undefined)[];

/**
 * A column's values in the physical JS form hyparquet-writer takes; undefined and null become null.
 * int64 needs bigints; timestamps stay integer numbers (the writer makes the INT64 itself, and its
 * statistics compare numbers faster than bigints); json becomes its text.
 */
function physicalValues(values: ParquetColumnValues, column: ParquetColumn): readonly unknown[] {
  const { name, type } = column;
  // Values already in their physical form are passed as they are (no copy: less garbage per row group).
  if (type !== 'int64' && type !== 'json' && values.every((value) => isPhysical(value, type))) return values;
  const physical = new Array<unknown>(values.length);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (value === undefined || value === null) physical[index] = null;
    else if (type === 'int64') physical[index] = toBigInt(value, name);
    else if (type === 'timestamp') physical[index] = checkInteger(value, name);
    else if (type === 'json') physical[index] = JSON.stringify(value);
    else physical[index] = value;
  }
  return physical;
}

function isPhysical(value: ParquetValue | undefined, type: ParquetColumnType): boolean {
  if (value === null) return true;
  if (type === 'timestamp') return typeof value === 'number' && Number.isInteger(value);
  return value !== undefined;
}

function toBigInt(value: unknown, column: string): bigint {
  if (typeof value === 'bigint') return value;
  return BigInt(checkInteger(value, column));
}

function checkInteger(value: unknown, column: string): number | bigint {
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return value;
  throw new TypeError(`parquet column ${column}: expected an integer, got ${String(value)}`);
}

/** The values of each column of `rows`. */
function columnsOf(columns: readonly ParquetColumn[], rows: readonly ParquetRow[]): ParquetColumnValues[] {
  return columns.map(({ name }) => rows.map((row) => row[name]));
}

function schemaOf(columns: readonly ParquetColumn[]): SchemaElement[] {
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name)) throw new Error(`parquet: duplicate column ${name}`);
    seen.add(name);
  }
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((column) => ({ name: column.name, ...SCHEMA_BY_TYPE[column.type] })),
  ];
}

function columnDataOf(
  columns: readonly ParquetColumn[],
  values: readonly ParquetColumnValues[],
): { columnData: ColumnSource[]; rows: number } {
  const rows = values[0]?.length ?? 0;
  if (values.length !== columns.length)
    throw new Error(`parquet: ${values.length} value columns for ${columns.length} columns`);
  const columnData = columns.map((column, index) => {
    if (values[index]!.length !== rows)
      throw new Error(`parquet column ${column.name}: ${values[index]!.length} values, expected ${rows}`);
    // hyparquet-writer's DecodedArray admits these physical values (bigint, number, string, boolean, null).
    return { name: column.name, data: physicalValues(values[index]!, column) as ColumnSource['data'] };
  });
  return { columnData, rows };
}

const FILE_METADATA = (columns: readonly ParquetColumn[]) => ({
  codec: 'SNAPPY' as const,
  kvMetadata: [{ key: COLUMNS_METADATA_KEY, value: JSON.stringify(columns) }],
  // "<name> version <semver>": the form parquet-mr parses (else Spark ignores the column statistics).
  createdBy: `lms-speed-layer version ${PACKAGE_VERSION}`,
});

export function writeParquet(
  columns: readonly ParquetColumn[],
  rows: readonly ParquetRow[],
  options: ParquetWriteOptions = {},
): Buffer {
  const arrayBuffer = parquetWriteBuffer({
    columnData: columnDataOf(columns, columnsOf(columns, rows)).columnData,
    schema: schemaOf(columns),
    rowGroupSize: options.rowGroupSize ?? 100_000,
    ...FILE_METADATA(columns),
  });
  return Buffer.from(arrayBuffer);
}

/**
 * A Parquet file written one row group at a time, so a caller can let other work run between groups
 * (large files on a busy event loop); `finish` gives the file's bytes.
 */
export class ParquetFileWriter {
  private readonly bytes = new ByteWriter();
  private readonly writer: ParquetWriter;
  rows = 0;

  constructor(private readonly columns: readonly ParquetColumn[]) {
    this.writer = new ParquetWriter({
      writer: this.bytes,
      schema: schemaOf(columns),
      ...FILE_METADATA(columns),
    });
  }

  /** The rows as one row group. */
  writeRowGroup(rows: readonly ParquetRow[]): void {
    this.writeColumns(columnsOf(this.columns, rows));
  }

  /**
   * One row group given as columns (the constructor's order, all of one length, the values a row would
   * hold): no row objects for a caller that builds columns anyway (the raw archive's conversion).
   */
  writeColumns(values: readonly ParquetColumnValues[]): void {
    const { columnData, rows } = columnDataOf(this.columns, values);
    if (rows === 0) return;
    // Synchronous with a ByteWriter (it has no flush to wait for).
    void this.writer.write({ columnData, rowGroupSize: rows });
    this.rows += rows;
  }

  finish(): Buffer {
    void this.writer.finish();
    return Buffer.from(this.bytes.getBuffer());
  }
}
