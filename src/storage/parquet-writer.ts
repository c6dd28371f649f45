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

/** Column values in the physical JS form hyparquet-writer expects; undefined and null become null. */
function columnValues(rows: readonly ParquetRow[], column: ParquetColumn): unknown[] {
  const values = new Array<unknown>(rows.length);
  const { name, type } = column;
  for (let index = 0; index < rows.length; index += 1) {
    const value = rows[index]![name];
    if (value === undefined || value === null) values[index] = null;
    else if (type === 'int64' || type === 'timestamp') values[index] = toBigInt(value, name);
    else if (type === 'json') values[index] = JSON.stringify(value);
    else values[index] = value;
  }
  return values;
}

function toBigInt(value: unknown, column: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new TypeError(`parquet column ${column}: expected an integer, got ${String(value)}`);
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

function columnDataOf(columns: readonly ParquetColumn[], rows: readonly ParquetRow[]): ColumnSource[] {
  return columns.map((column) => ({
    name: column.name,
    // hyparquet-writer's DecodedArray admits these physical values (bigint, number, string, boolean, null).
    data: columnValues(rows, column) as ColumnSource['data'],
  }));
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
    columnData: columnDataOf(columns, rows),
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
    if (rows.length === 0) return;
    // Synchronous with a ByteWriter (it has no flush to wait for).
    void this.writer.write({ columnData: columnDataOf(this.columns, rows), rowGroupSize: rows.length });
    this.rows += rows.length;
  }

  finish(): Buffer {
    void this.writer.finish();
    return Buffer.from(this.bytes.getBuffer());
  }
}
