/**
 * What a view file declares (one file per view under src/processor/views/) and what the engine gets
 * from it. A view file reads `windowView({ name, inputTypes, window, key }).select({ ...columns })`
 * (or `sessionView`, `joinView`, `topView` in top-view.ts), the columns built with columns.ts. Both
 * calls check the definition against the view catalog when the module loads, throwing `<view>: ...`
 * on a mismatch, and `select` compiles it: key columns and column types come from the catalog, the
 * stored columns become one aggregate, the derived ones `derive`.
 */
import type { EventType } from '../../events/topics.ts';
import type { EventOf, LmsEvent } from '../../events/types.ts';
import { viewSpec, type ViewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import type { Aggregate, MergeColumnType, MergeKind, PartialColumns } from './aggregate.ts';
import { ColumnsAggregate, type Columns, type DerivedColumn, type StoredColumn } from './columns.ts';
import { session, type SessionSpec, type SlidingSpec, type TumblingSpec } from './windows.ts';

/** Separator of the parts of a composite key string (cannot occur in JSON-decoded ids we compare). */
export const KEY_SEPARATOR = '\u0000';

/** What the emitter, the merge of partial rows and the Parquet sink read of any view. */
interface CompiledView {
  readonly name: string;
  /** Columns decoded from the key string (parts joined by KEY_SEPARATOR): the catalog's key columns. */
  readonly keyColumns: readonly string[];
  /** Every stored column of partial rows (`_` ones too), in order, with how two partial rows combine it. */
  readonly mergeKinds: Readonly<Record<string, MergeKind>>;
  /** The `_` columns and their types: partial rows carry them after the catalog's columns. */
  readonly hiddenColumns: Readonly<Record<string, MergeColumnType>>;
  /** The derived columns of a partial row, computed from its stored columns (again after a merge). */
  derive(row: Readonly<PartialColumns>): PartialColumns;
  /** Rows of one final state when a window has several (top-N); default: one row, `aggregate.partial`. */
  rows?(state: unknown): PartialColumns[];
  /** Merges the partial rows of one window when `rows` is set; default: per (window, key) by `mergeKinds`. */
  mergeWindowRows?(rows: readonly ViewRow[]): PartialColumns[];
}

/** Tumbling or sliding window per key. The engine routes only `inputTypes` events to `key` and `aggregate`. */
export interface WindowView extends CompiledView {
  readonly kind: 'window';
  readonly inputTypes: readonly EventType[];
  readonly window: TumblingSpec | SlidingSpec;
  key(event: LmsEvent): string;
  readonly aggregate: Aggregate<LmsEvent, unknown>;
}

/** Session windows per key (the gap is a run option). */
export interface SessionView extends CompiledView {
  readonly kind: 'session';
  readonly inputTypes: readonly EventType[];
  readonly window: SessionSpec;
  key(event: LmsEvent): string;
  readonly aggregate: Aggregate<LmsEvent, unknown>;
}

/**
 * Interval join: each left event (window = tumbling window of its time, key = `key(left)`) matches the
 * right events with the same match key and time in `[left, left + boundMs]`. When the window is final
 * every left event is folded into the aggregate as its delay to the earliest match, or -1 if none.
 */
export interface JoinView extends CompiledView {
  readonly kind: 'join';
  readonly leftType: EventType;
  readonly rightType: EventType;
  readonly window: TumblingSpec;
  readonly boundMs: number;
  key(left: LmsEvent): string;
  leftMatchKey(left: LmsEvent): string;
  rightMatchKey(right: LmsEvent): string;
  readonly aggregate: Aggregate<number, unknown>;
}

export type AnyView = WindowView | SessionView | JoinView;

/** The event types a view reads. */
export function inputTypesOf(view: AnyView): readonly EventType[] {
  return view.kind === 'join' ? [view.leftType, view.rightType] : view.inputTypes;
}

interface Definition<K> {
  /** The view's catalog name: its key columns and column types come from the catalog. */
  name: string;
  /** The key string of an event (`twoPartKey` for two key columns); omitted when the catalog has no key. */
  key?: (event: K) => string;
}

export interface WindowDefinition<T extends EventType> extends Definition<EventOf<T>> {
  inputTypes: readonly T[];
  window: TumblingSpec | SlidingSpec;
}

export interface SessionDefinition<T extends EventType> extends Definition<EventOf<T>> {
  inputTypes: readonly T[];
}

export interface JoinDefinition<L extends EventType, R extends EventType> extends Definition<EventOf<L>> {
  leftType: L;
  rightType: R;
  window: TumblingSpec;
  boundMs: number;
  leftMatchKey: (left: EventOf<L>) => string;
  rightMatchKey: (right: EventOf<R>) => string;
}

/**
 * The second half of a definition: `select` takes every value column of the catalog, and the `_`
 * columns the merge needs, each declared once in SQL order, and returns the checked, compiled view.
 * (A separate call so that the column builders' event type is known from the first half.)
 */
export interface Selectable<E, V> {
  select(columns: Columns<E>): V;
}

/** Throws `<view>: <detail>`: the form of every definition error. */
export function definitionError(view: string, detail: string): never {
  throw new Error(`${view}: ${detail}`);
}

/** The catalog row of a view being defined (an unknown name is a definition error too). */
export function catalogSpec(view: string, timing: ViewSpec['timing']): ViewSpec {
  let spec: ViewSpec;
  try {
    spec = viewSpec(view);
  } catch (error) {
    return definitionError(view, (error as Error).message);
  }
  if (spec.timing !== timing) definitionError(view, `the catalog times it by ${spec.timing}, not ${timing}`);
  return spec;
}

/** The catalog's value columns: after the two time columns and the key columns. */
export function valueColumns(spec: ViewSpec): ViewSpec['columns'] {
  return spec.columns.slice(2 + spec.keys.length);
}

/** Checks a column's declared or implied type against the catalog (`_` columns must have one). */
export function checkColumnType(view: string, spec: ViewSpec, name: string, type?: MergeColumnType): void {
  if (name.startsWith('_')) {
    if (type === undefined) definitionError(view, `_ column ${name} needs a type, e.g. sum(..., 'double')`);
    return;
  }
  const catalogType = valueColumns(spec).find((column) => column.name === name)?.type;
  if (catalogType === undefined) definitionError(view, `column ${name} is not a value column of the catalog`);
  if (type !== undefined && type !== catalogType)
    definitionError(view, `column ${name} is ${type}, the catalog says ${catalogType}`);
}

/** The key of every event of a view with no key column: one cell per window. */
export function noKey(): string {
  return '';
}

function checkKey(view: string, spec: ViewSpec, key: unknown): void {
  if (spec.keys.length > 0 && key === undefined)
    definitionError(view, `the catalog keys it by [${spec.keys.join(', ')}]: it needs a key function`);
  if (spec.keys.length === 0 && key !== undefined)
    definitionError(view, 'the catalog gives it no key column: it takes no key function');
}

/** The derived columns' reads of a probe row: reading a name that is not a stored column is an error. */
function checkDerivedReads(view: string, derived: readonly [string, DerivedColumn][], probe: PartialColumns) {
  for (const [name, column] of derived) {
    const guarded = new Proxy(probe, {
      get(row, read) {
        if (typeof read === 'string' && !(read in row))
          definitionError(view, `derived column ${name} reads ${read}, which is not a stored column`);
        return Reflect.get(row, read) as unknown;
      },
    });
    column.compute(guarded);
  }
}

type Compiled<E> = Pick<CompiledView, 'keyColumns' | 'mergeKinds' | 'hiddenColumns' | 'derive'> & {
  aggregate: ColumnsAggregate<E>;
};

/** Checks a view's columns against its catalog row and compiles them. */
function compile<E>(view: string, spec: ViewSpec, key: unknown, declared: Columns<E>): Compiled<E> {
  checkKey(view, spec, key);
  const names: string[] = [];
  const columns: StoredColumn<E>[] = [];
  const derived: [string, DerivedColumn][] = [];
  const mergeKinds: Record<string, MergeKind> = {};
  const hiddenColumns: Record<string, MergeColumnType> = {};
  for (const [name, column] of Object.entries(declared)) {
    if (column.op === 'derived') {
      if (name.startsWith('_'))
        definitionError(view, `_ column ${name} cannot be derived (it is for the merge)`);
      checkColumnType(view, spec, name);
      derived.push([name, column]);
      continue;
    }
    checkColumnType(view, spec, name, column.type);
    names.push(name);
    columns.push(column);
    mergeKinds[name] = column.mergeKind;
    if (name.startsWith('_')) hiddenColumns[name] = column.type!;
  }
  for (const { name } of valueColumns(spec)) {
    if (!(name in declared)) definitionError(view, `catalog column ${name} is not declared`);
  }
  const aggregate = new ColumnsAggregate(names, columns);
  checkDerivedReads(view, derived, aggregate.partial(aggregate.init()));
  const derivedNames = derived.map(([name]) => name);
  const computes = derived.map(([, column]) => column.compute);
  const derive = (row: Readonly<PartialColumns>): PartialColumns => {
    const values: PartialColumns = {};
    for (let index = 0; index < computes.length; index++)
      values[derivedNames[index]!] = computes[index]!(row);
    return values;
  };
  return { keyColumns: spec.keys, mergeKinds, hiddenColumns, derive, aggregate };
}

/** A tumbling or sliding view; the event type is inferred from `inputTypes`. */
export function windowView<T extends EventType>(
  definition: WindowDefinition<T>,
): Selectable<EventOf<T>, WindowView> {
  const { name, inputTypes, window, key = noKey } = definition;
  const spec = catalogSpec(name, 'window');
  return {
    select: (columns) => ({
      kind: 'window',
      name,
      inputTypes,
      window,
      key,
      ...compile(name, spec, definition.key, columns),
    }),
  };
}

/** A session view (its window is `session()`: the gap is a run option). */
export function sessionView<T extends EventType>(
  definition: SessionDefinition<T>,
): Selectable<EventOf<T>, SessionView> {
  const { name, inputTypes, key = noKey } = definition;
  const spec = catalogSpec(name, 'session');
  return {
    select: (columns) => ({
      kind: 'session',
      name,
      inputTypes,
      window: session(),
      key,
      ...compile(name, spec, definition.key, columns),
    }),
  };
}

/** An interval-join view; its columns fold each left event's delay in ms to its earliest match (-1: none). */
export function joinView<L extends EventType, R extends EventType>(
  definition: JoinDefinition<L, R>,
): Selectable<number, JoinView> {
  const { name, leftType, rightType, window, boundMs, key = noKey, leftMatchKey, rightMatchKey } = definition;
  const spec = catalogSpec(name, 'window');
  return {
    select: (columns) => ({
      kind: 'join',
      name,
      leftType,
      rightType,
      window,
      boundMs,
      key,
      leftMatchKey,
      rightMatchKey,
      ...compile(name, spec, definition.key, columns),
    }),
  };
}
