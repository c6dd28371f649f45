/**
 * The `stats` of an `add` (PROTOCOL.md "Per-file Statistics"): numRecords, nullCount of every column, and
 * minValues / maxValues where Spark's data skipping can use them: timestamps (ISO-8601 UTC, ms), int64,
 * finite doubles and strings. Bounds must hold for every row, or a reader skips a file it needed:
 * strings compare by UTF-8 bytes like Spark (not UTF-16 like JS `<`); a long string's min is its 32-char
 * prefix (still a lower bound) and a long max is left out; a double column with NaN or ±Infinity gets no
 * bounds. Booleans and json text get null counts only. int64 beyond 2^53 stays exact (written as bigint).
 */
import type { ParquetColumn, ParquetRow } from '../parquet-columns.ts';

/** Longest string bound kept, in code points (Delta's default `dataSkippingStringPrefixLength`). */
export const STRING_PREFIX_LENGTH = 32;

/** A bound as the stats JSON holds it: ISO-8601 text for timestamps, bigint or number otherwise. */
export type StatsBound = bigint | number | string;
type Bound = StatsBound;

interface ColumnBounds {
  min?: Bound;
  max?: Bound;
}

/** The latest instant a timestamp bound may have (the end of year 9999: ISO-8601 text goes no further). */
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function extremes<T extends bigint | number>(values: readonly T[]): { min?: T; max?: T } {
  if (values.length === 0) return {};
  let min = values[0]!;
  let max = values[0]!;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}

function boundsOf(column: ParquetColumn, values: readonly unknown[]): ColumnBounds {
  switch (column.type) {
    case 'int64':
      return extremes(values.map((value) => BigInt(value as bigint | number)));
    case 'timestamp': {
      const times = values.map(Number);
      if (times.some((ms) => !(ms >= 0 && ms <= MAX_TIMESTAMP_MS))) return {};
      const { min, max } = extremes(times);
      return min === undefined || max === undefined
        ? {}
        : { min: new Date(min).toISOString(), max: new Date(max).toISOString() };
    }
    case 'double': {
      const numbers = values.map(Number);
      return numbers.every(Number.isFinite) ? extremes(numbers) : {};
    }
    case 'string':
      return stringBounds(values.map(String));
    default:
      return {};
  }
}

function stringBounds(strings: readonly string[]): ColumnBounds {
  if (strings.length === 0) return {};
  let min = Buffer.from(strings[0]!, 'utf8');
  let max = min;
  for (const text of strings) {
    const bytes = Buffer.from(text, 'utf8');
    if (Buffer.compare(bytes, min) < 0) min = bytes;
    if (Buffer.compare(bytes, max) > 0) max = bytes;
  }
  const minCodePoints = [...min.toString('utf8')];
  const maxText = max.toString('utf8');
  const bounds: ColumnBounds = { min: minCodePoints.slice(0, STRING_PREFIX_LENGTH).join('') };
  if ([...maxText].length <= STRING_PREFIX_LENGTH) bounds.max = maxText;
  return bounds;
}

/** JSON text of an object whose values may be bigint (JSON.stringify refuses those). */
function jsonObject(entries: readonly (readonly [string, Bound])[]): string {
  const literal = (value: Bound): string =>
    typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${literal(value)}`).join(',')}}`;
}

/** The stats JSON string of one data file holding `rows`. */
export function fileStats(columns: readonly ParquetColumn[], rows: readonly ParquetRow[]): string {
  const mins: [string, Bound][] = [];
  const maxes: [string, Bound][] = [];
  const nulls: [string, number][] = [];
  for (const column of columns) {
    const values = rows
      .map((row) => row[column.name])
      .filter((value) => value !== null && value !== undefined);
    nulls.push([column.name, rows.length - values.length]);
    const { min, max } = boundsOf(column, values);
    if (min !== undefined) mins.push([column.name, min]);
    if (max !== undefined) maxes.push([column.name, max]);
  }
  return statsText({ numRecords: rows.length, mins, maxes, nulls });
}

/** The stats JSON text of counts and bounds already found (footer-stats.ts reads them from a footer). */
export function statsText(stats: {
  numRecords: number;
  mins: readonly (readonly [string, Bound])[];
  maxes: readonly (readonly [string, Bound])[];
  nulls: readonly (readonly [string, number])[];
}): string {
  return (
    `{"numRecords":${stats.numRecords},"minValues":${jsonObject(stats.mins)},` +
    `"maxValues":${jsonObject(stats.maxes)},"nullCount":${jsonObject(stats.nulls)}}`
  );
}
