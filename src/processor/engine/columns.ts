/**
 * Column builders: a view declares each output column once, with its value and (through the builder) how
 * two partial rows merge it, much as the oracle's SQL does (`count(*) FILTER (WHERE …) AS logins`).
 * A catalog column takes its type from the catalog; a `_` column (kept only for the merge) declares its
 * own, unless the builder implies it (counts are int64, id sets json). Like SQL aggregates, `sum`, `min`
 * and `max` skip events whose value is null. `ColumnsAggregate` runs the stored columns of a view as one
 * aggregate whose state has one slot per column; derived columns are computed from a (merged) partial row.
 */
import {
  idsColumn,
  idsOf,
  type Aggregate,
  type CellValue,
  type MergeColumnType,
  type MergeKind,
  type PartialColumns,
} from './aggregate.ts';

/** An event's value for a column, or null when the event does not count for it. */
export type ValueOf<E> = (event: E) => number | null;

/** The escape hatch: a column over hand-written state (a mutable array or object), merged by `mergeKind`. */
export interface CustomColumn<E, S> {
  mergeKind: MergeKind;
  /** Required when the column is a `_` column. */
  type?: MergeColumnType;
  init(): S;
  add(state: S, event: E): void;
  /** Folds `from` into `into`, sharing no mutable part of `from`. */
  merge(into: S, from: S): void;
  value(state: S): CellValue;
}

interface Stored<Op extends string, F> {
  readonly op: Op;
  readonly mergeKind: MergeKind;
  /** Declared (`_` columns) or implied by the builder; catalog columns must agree with the catalog. */
  readonly type: MergeColumnType | undefined;
  readonly fn: F;
  readonly custom: CustomColumn<unknown, unknown> | undefined;
}

/** A column kept in aggregate state and partial rows. All share one object shape (the hot loop reads them). */
export type StoredColumn<E> =
  | Stored<'count', undefined>
  | Stored<'countIf', (event: E) => boolean>
  | Stored<'sum' | 'min' | 'max', ValueOf<E>>
  | Stored<'distinct' | 'idSet', (event: E) => string>
  | Stored<'custom', undefined>;

/** A column computed from the stored columns of a partial row (ratios, differences, flags). */
export interface DerivedColumn {
  readonly op: 'derived';
  readonly compute: (row: DerivedRow) => CellValue;
}

export type Column<E> = StoredColumn<E> | DerivedColumn;

/** Output columns by name, each declared once, in the view's (SQL's) order. */
export type Columns<E> = Readonly<Record<string, Column<E>>>;

/** The stored columns a derived column reads (module load checks that it reads no other name). */
export type DerivedRow = Readonly<Record<string, CellValue>>;

function stored<E>(
  op: StoredColumn<E>['op'],
  mergeKind: MergeKind,
  type: MergeColumnType | undefined,
  fn?: unknown,
  custom?: CustomColumn<E, unknown>,
): Column<E> {
  return { op, mergeKind, type, fn, custom } as StoredColumn<E>;
}

/** `count(*)`: every event. */
export function count(): Column<unknown> {
  return stored('count', 'sum', 'int64');
}

/** `count(*) FILTER (WHERE test)`. */
export function countIf<E>(test: (event: E) => boolean): Column<E> {
  return stored('countIf', 'sum', 'int64', test);
}

/** Sum of the non-null values (0 over none); adds event by event, so float results keep one order. */
export function sum<E>(value: ValueOf<E>, type?: MergeColumnType): Column<E> {
  return stored('sum', 'sum', type, value);
}

/** Least non-null value, null over none. */
export function min<E>(value: ValueOf<E>, type?: MergeColumnType): Column<E> {
  return stored('min', 'min', type, value);
}

/** Greatest non-null value, null over none. */
export function max<E>(value: ValueOf<E>, type?: MergeColumnType): Column<E> {
  return stored('max', 'max', type, value);
}

/**
 * `count(DISTINCT id)` of ids that never span partitions (user ids: a user's events sit in one
 * partition), so the counts of partial rows add. Ids that span partitions need `idSet`.
 */
export function distinct<E>(id: (event: E) => string): Column<E> {
  return stored('distinct', 'sum', 'int64', id);
}

/** The set of ids as a `_` json column (sorted array), merged by union; count it with `idCount`. */
export function idSet<E>(id: (event: E) => string): Column<E> {
  return stored('idSet', 'union', 'json', id);
}

/** A column over hand-written state, for rules the builders cannot say (the logout-at-last tie rule). */
export function custom<E, S>(column: CustomColumn<E, S>): Column<E> {
  return stored('custom', column.mergeKind, column.type, undefined, column as CustomColumn<E, unknown>);
}

/** A column computed from the stored columns, again after partial rows merge. */
export function derived(compute: (row: DerivedRow) => CellValue): DerivedColumn {
  return { op: 'derived', compute };
}

/** `numerator / denominator`, or null when the denominator is 0 (docs/contract/semantics.md). */
export function ratio(numerator: CellValue | undefined, denominator: CellValue | undefined): number | null {
  const below = Number(denominator);
  return below === 0 ? null : Number(numerator) / below;
}

/** `value / divisor`, null staying null (averages in other units). */
export function dividedBy(value: number | null, divisor: number): number | null {
  return value === null ? null : value / divisor;
}

/** The number of ids in an `idSet` column. */
export function idCount(ids: CellValue | undefined): number {
  return idsOf(ids).length;
}

/** One slot per stored column: a count or sum, a min/max or null, an id Set, or custom state. */
export type Slots = unknown[];

/** The stored columns of a view as one aggregate (state: one slot per column, in declaration order). */
export class ColumnsAggregate<E> implements Aggregate<E, Slots> {
  /** The initial slots whose values are immutable (counts, sums, mins, maxes), copied by `init`. */
  private readonly initial: Slots;
  /** Slots that need a fresh mutable value per state (id Sets, custom state). */
  private readonly fresh: number[] = [];
  readonly growingSlots: readonly number[];

  constructor(
    readonly names: readonly string[],
    readonly columns: readonly StoredColumn<E>[],
  ) {
    this.initial = columns.map((column, index) => {
      if (column.op === 'min' || column.op === 'max') return null;
      if (column.op === 'count' || column.op === 'countIf' || column.op === 'sum') return 0;
      this.fresh.push(index);
      return null;
    });
    this.growingSlots = columns.flatMap((column, index) =>
      column.op === 'distinct' || column.op === 'idSet' ? [index] : [],
    );
  }

  init(): Slots {
    const slots = this.initial.slice();
    for (const index of this.fresh) {
      const column = this.columns[index]!;
      slots[index] = column.op === 'custom' ? column.custom!.init() : new Set<string>();
    }
    return slots;
  }

  add(slots: Slots, event: E): void {
    const columns = this.columns;
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!;
      switch (column.op) {
        case 'count':
          slots[index] = (slots[index] as number) + 1;
          break;
        case 'countIf':
          if (column.fn(event)) slots[index] = (slots[index] as number) + 1;
          break;
        case 'sum': {
          const value = column.fn(event);
          if (value !== null) slots[index] = (slots[index] as number) + value;
          break;
        }
        case 'min': {
          const value = column.fn(event);
          const least = slots[index] as number | null;
          if (value !== null && (least === null || value < least)) slots[index] = value;
          break;
        }
        case 'max': {
          const value = column.fn(event);
          const greatest = slots[index] as number | null;
          if (value !== null && (greatest === null || value > greatest)) slots[index] = value;
          break;
        }
        case 'distinct':
        case 'idSet':
          (slots[index] as Set<string>).add(column.fn(event));
          break;
        case 'custom':
          column.custom!.add(slots[index], event);
          break;
      }
    }
  }

  merge(into: Slots, from: Slots): void {
    const columns = this.columns;
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!;
      const value = from[index];
      switch (column.op) {
        case 'count':
        case 'countIf':
        case 'sum':
          into[index] = (into[index] as number) + (value as number);
          break;
        case 'min': {
          const least = into[index] as number | null;
          if (value !== null && (least === null || (value as number) < least)) into[index] = value;
          break;
        }
        case 'max': {
          const greatest = into[index] as number | null;
          if (value !== null && (greatest === null || (value as number) > greatest)) into[index] = value;
          break;
        }
        case 'distinct':
        case 'idSet': {
          const ids = into[index] as Set<string>;
          for (const id of value as Set<string>) ids.add(id);
          break;
        }
        case 'custom':
          column.custom!.merge(into[index], value);
          break;
      }
    }
  }

  partial(slots: Slots): PartialColumns {
    const { names, columns } = this;
    const row: PartialColumns = {};
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!;
      const slot = slots[index];
      if (column.op === 'distinct') row[names[index]!] = (slot as Set<string>).size;
      else if (column.op === 'idSet') row[names[index]!] = idsColumn(slot as Set<string>);
      else if (column.op === 'custom') row[names[index]!] = column.custom!.value(slot);
      else row[names[index]!] = slot as number | null;
    }
    return row;
  }
}
