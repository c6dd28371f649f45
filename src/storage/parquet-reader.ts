/**
 * Parquet file → rows with the JS types the writer takes: timestamps as epoch-ms numbers, int64 as
 * numbers (bigint beyond 2^53), json columns parsed. Column types come from the file's own metadata
 * (written by writeParquet); files from other writers fall back to the physical types.
 */
import { parquetMetadata, parquetReadObjects, type FileMetaData } from 'hyparquet';
import {
  COLUMNS_METADATA_KEY,
  isParquetColumnType,
  type JsonValue,
  type ParquetColumn,
  type ParquetRow,
  type ParquetValue,
} from './parquet-columns.ts';

export interface ParquetContents {
  columns: ParquetColumn[];
  rows: ParquetRow[];
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function declaredColumns(metadata: FileMetaData): ParquetColumn[] | undefined {
  const entry = metadata.key_value_metadata?.find(({ key }) => key === COLUMNS_METADATA_KEY);
  if (entry?.value === undefined) return undefined;
  const parsed: unknown = JSON.parse(entry.value);
  if (!Array.isArray(parsed)) return undefined;
  const columns = parsed as { name?: unknown; type?: unknown }[];
  if (!columns.every((c) => typeof c.name === 'string' && isParquetColumnType(c.type))) return undefined;
  return columns as ParquetColumn[];
}

function physicalColumns(metadata: FileMetaData): ParquetColumn[] {
  return metadata.schema.slice(1).map((element) => {
    const timestamp =
      element.logical_type?.type === 'TIMESTAMP' || element.converted_type === 'TIMESTAMP_MILLIS';
    if (timestamp) return { name: element.name, type: 'timestamp' };
    if (element.type === 'INT64' || element.type === 'INT32') return { name: element.name, type: 'int64' };
    if (element.type === 'DOUBLE' || element.type === 'FLOAT') return { name: element.name, type: 'double' };
    if (element.type === 'BOOLEAN') return { name: element.name, type: 'boolean' };
    return { name: element.name, type: 'string' };
  });
}

function restore(value: unknown, column: ParquetColumn): ParquetValue {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'timestamp':
      return value instanceof Date ? value.getTime() : Number(value);
    case 'int64': {
      const big = BigInt(value as bigint | number);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(big)
        : big;
    }
    case 'json':
      return JSON.parse(String(value)) as JsonValue;
    default:
      return value as ParquetValue;
  }
}

export async function readParquet(bytes: Uint8Array): Promise<ParquetContents> {
  const file = toArrayBuffer(bytes);
  const metadata = parquetMetadata(file);
  const columns = declaredColumns(metadata) ?? physicalColumns(metadata);
  const raw = await parquetReadObjects({ file, metadata });
  const rows = raw.map((record) => {
    const row: ParquetRow = {};
    for (const column of columns) row[column.name] = restore(record[column.name], column);
    return row;
  });
  return { columns, rows };
}
