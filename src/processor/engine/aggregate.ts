/**
 * Mergeable aggregation (docs/contract/semantics.md "Partial rows"). An aggregate's state is plain data (numbers,
 * strings, Sets, Maps, arrays) so snapshots are a straight encoding; `merge` combines two states (panes
 * into a window, partitions into one row); `partial` turns a final state into the row's mergeable columns.
 */
import type { ColumnType } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';

export type CellValue = ViewRow[string];

/** Columns of one partial row besides time and key columns. */
export type PartialColumns = Record<string, CellValue>;

export interface Aggregate<E, S> {
  init(): S;
  /** Folds one event into `state` in place (hot path: no allocation where avoidable). */
  add(state: S, event: E): void;
  /** Folds `from` into `into`, sharing no mutable part of `from` (a pane is merged into several windows). */
  merge(into: S, from: S): void;
  /** The mergeable columns of a final state, `_` columns included. */
  partial(state: S): PartialColumns;
  /**
   * When the state is an array: the indexes of its slots that are Sets only ever added to (distinct
   * ids), so a snapshot delta may carry their new members only (view-delta.ts).
   */
  readonly growingSlots?: readonly number[];
}

/**
 * How a mergeable column of two partial rows of the same (window, key) combines: counts, sums and
 * distinct users add, mins/maxes combine (null = none), flags or, `union` is a JSON array of ids.
 */
export type MergeKind = 'sum' | 'min' | 'max' | 'or' | 'union';

/** Type of a `_` merge column; `json` is a JSON string (id sets, per-video counts). */
export type MergeColumnType = ColumnType | 'json';

function mergeMin(a: CellValue, b: CellValue): CellValue {
  if (a === null) return b;
  if (b === null) return a;
  return Number(b) < Number(a) ? b : a;
}

function mergeMax(a: CellValue, b: CellValue): CellValue {
  if (a === null) return b;
  if (b === null) return a;
  return Number(b) > Number(a) ? b : a;
}

/** A set of ids as a partial column: sorted JSON array (stable bytes for the same set). */
export function idsColumn(ids: ReadonlySet<string>): string {
  return JSON.stringify([...ids].sort());
}

export function idsOf(column: CellValue | undefined): string[] {
  return typeof column === 'string' ? (JSON.parse(column) as string[]) : [];
}

export function mergeColumn(kind: MergeKind, a: CellValue, b: CellValue): CellValue {
  switch (kind) {
    case 'sum':
      return Number(a) + Number(b);
    case 'min':
      return mergeMin(a, b);
    case 'max':
      return mergeMax(a, b);
    case 'or':
      return a === true || b === true;
    case 'union':
      return idsColumn(new Set([...idsOf(a), ...idsOf(b)]));
  }
}
