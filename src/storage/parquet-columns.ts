/**
 * The column types the Parquet sink writes: the catalog's types (docs/contract/views.md) plus `json`, a JSON-encoded
 * string column for the `_` merge columns of docs/contract/semantics.md "Partial rows" (id sets, per-video counts).
 */
import type { ColumnType } from '../events/view-catalog.ts';

export type ParquetColumnType = ColumnType | 'json';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}

/** JS values of a row: timestamps as epoch-ms numbers, int64 as number or bigint, json as any JSON value. */
export type ParquetValue = string | number | bigint | boolean | null | JsonValue;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type ParquetRow = Record<string, ParquetValue | undefined>;

/** Key of the Parquet key-value metadata entry holding the column list, so a reader restores the types. */
export const COLUMNS_METADATA_KEY = 'speed_layer.columns';

const TYPES: readonly ParquetColumnType[] = ['timestamp', 'int64', 'double', 'string', 'boolean', 'json'];

export function isParquetColumnType(value: unknown): value is ParquetColumnType {
  return TYPES.includes(value as ParquetColumnType);
}
