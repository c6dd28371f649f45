/**
 * The comparison of one view's rows of a day, batch (every valid event) against speed (accepted events
 * only), without storage. Rows are matched by the view's key: window start and end, or session start (a
 * session's end is a value a late event can move), plus the key columns. Values compare as the oracle law
 * compares results (`sameValue`: doubles within a relative 1e-9, since DuckDB and the engine add in
 * different orders; everything else exactly).
 */
import type { ColumnType, ViewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import { sameValue } from '../events/view-result.ts';

/** A value as a report shows it: timestamps as ISO-8601, int64 as numbers. */
export type ShownValue = string | number | boolean | null;
/** The matched columns of a row and their values. */
export type RowKey = Record<string, ShownValue>;

export interface ColumnDifference {
  key: RowKey;
  column: string;
  batch: ShownValue;
  speed: ShownValue;
}

export interface ViewComparison {
  /** Rows on both sides with every column the same. */
  equal: number;
  /** Keys present on both sides with some column different. */
  differing: RowKey[];
  onlyBatch: RowKey[];
  onlySpeed: RowKey[];
  /** The largest column differences of the differing rows, largest first (see `differenceSize`). */
  largest: ColumnDifference[];
}

/** The columns rows are matched by. */
export function matchColumns(spec: ViewSpec): string[] {
  const [start, end] = [spec.columns[0]!.name, spec.columns[1]!.name];
  return spec.timing === 'session' ? [start, ...spec.keys] : [start, end, ...spec.keys];
}

function show(type: ColumnType, value: ViewRow[string] | undefined): ShownValue {
  if (value === null || value === undefined) return null;
  if (type === 'timestamp') return new Date(Number(value)).toISOString();
  return typeof value === 'bigint' ? Number(value) : value;
}

/**
 * How large a column difference is, for ranking: the absolute difference of two numbers; a change of
 * kind (a string or boolean that differs, null against a value) ranks above any number.
 */
export function differenceSize(batch: ShownValue, speed: ShownValue): number {
  return typeof batch === 'number' && typeof speed === 'number' ? Math.abs(batch - speed) : Infinity;
}

/** A row's matched columns as one string, to index rows by. */
export function rowId(spec: ViewSpec, row: ViewRow): string {
  return JSON.stringify(matchColumns(spec).map((name) => show('int64', row[name])));
}

function indexByKey(spec: ViewSpec, side: string, rows: readonly ViewRow[]): Map<string, ViewRow> {
  const byKey = new Map<string, ViewRow>();
  for (const row of rows) {
    const id = rowId(spec, row);
    // Each (window, key) is one row on either side (docs/storage.md); two mean a misread table.
    if (byKey.has(id)) throw new Error(`${spec.name}: two ${side} rows with key ${id}`);
    byKey.set(id, row);
  }
  return byKey;
}

/** The matched columns of a row, as a report shows them. */
export function keyOf(spec: ViewSpec, row: ViewRow): RowKey {
  const types = new Map(spec.columns.map(({ name, type }) => [name, type]));
  return Object.fromEntries(matchColumns(spec).map((name) => [name, show(types.get(name)!, row[name])]));
}

/** Matches and compares the rows; `limit` bounds the `largest` list. */
export function compareViewRows(
  spec: ViewSpec,
  batch: readonly ViewRow[],
  speed: readonly ViewRow[],
  limit = 10,
): ViewComparison {
  const speedByKey = indexByKey(spec, 'speed', speed);
  const result: ViewComparison = { equal: 0, differing: [], onlyBatch: [], onlySpeed: [], largest: [] };
  const differences: ColumnDifference[] = [];
  for (const [id, batchRow] of indexByKey(spec, 'batch', batch)) {
    const speedRow = speedByKey.get(id);
    speedByKey.delete(id);
    if (speedRow === undefined) {
      result.onlyBatch.push(keyOf(spec, batchRow));
      continue;
    }
    const changed = spec.columns.filter(({ name }) => !sameValue(batchRow[name], speedRow[name]));
    if (changed.length === 0) {
      result.equal++;
      continue;
    }
    const key = keyOf(spec, batchRow);
    result.differing.push(key);
    for (const { name, type } of changed)
      differences.push({
        key,
        column: name,
        batch: show(type, batchRow[name]),
        speed: show(type, speedRow[name]),
      });
  }
  for (const speedRow of speedByKey.values()) result.onlySpeed.push(keyOf(spec, speedRow));
  const size = (difference: ColumnDifference) => differenceSize(difference.batch, difference.speed);
  // Stable: equal sizes keep the dump order.
  result.largest = differences.sort((a, b) => Math.sign(size(b) - size(a)) || 0).slice(0, limit);
  return result;
}
