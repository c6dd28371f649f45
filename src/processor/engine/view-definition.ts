/**
 * What a view file declares (one file per view under src/processor/views/): its input, key, window,
 * aggregate and output columns. `defineView` checks a definition against the view catalog when the
 * module loads, and throws with the view's name on a mismatch.
 */
import type { EventType } from '../../events/topics.ts';
import type { EventOf } from '../../events/types.ts';
import { viewSpec, type ColumnType } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import type { Aggregate, MergeKind, PartialColumns } from './aggregate.ts';
import type { SessionSpec, SlidingSpec, TumblingSpec } from './windows.ts';

/** Separator of the parts of a composite key string (cannot occur in JSON-decoded ids we compare). */
export const KEY_SEPARATOR = '\u0000';

/** Type of a `_` merge column; `json` is a JSON string (id sets, per-video counts). */
export type MergeColumnType = ColumnType | 'json';

interface ViewBase<S> {
  name: string;
  /** Key columns, in catalog order, decoded from the key string (parts joined by KEY_SEPARATOR). */
  keyColumns: readonly string[];
  /** Every column `aggregate.partial` returns, with how two partial rows combine it. */
  merge: Readonly<Record<string, MergeKind>>;
  /** Types of the `_` merge columns (catalog columns take their catalog type). */
  mergeColumnTypes?: Readonly<Record<string, MergeColumnType>>;
  /** Columns computed from the merged partial columns (ratios, averages, flags). */
  finish(row: Readonly<PartialColumns>): PartialColumns;
  /** Rows of one final state when a window has several (top-N); default: one row, `partial(state)`. */
  rows?(state: S): PartialColumns[];
  /** Merges partial rows of one window when `rows` is custom; default: per (window, key) by `merge`. */
  mergeWindowRows?(rows: readonly ViewRow[]): PartialColumns[];
}

/** Tumbling or sliding window per key. */
export interface WindowView<T extends EventType = EventType, S = unknown> extends ViewBase<S> {
  kind: 'window';
  inputTypes: readonly T[];
  window: TumblingSpec | SlidingSpec;
  key(event: EventOf<T>): string;
  aggregate: Aggregate<EventOf<T>, S>;
}

/** Session windows per key (the gap is a run option). */
export interface SessionView<T extends EventType = EventType, S = unknown> extends ViewBase<S> {
  kind: 'session';
  inputTypes: readonly T[];
  window: SessionSpec;
  key(event: EventOf<T>): string;
  aggregate: Aggregate<EventOf<T>, S>;
}

/**
 * Interval join: each left event (window = tumbling window of its time, key = `key(left)`) matches the
 * right events with the same `matchKey` and time in `[left, left + boundMs]`. When the window is final
 * every left event is folded into the aggregate as its delay to the earliest match, or -1 if none.
 */
export interface JoinView<
  L extends EventType = EventType,
  R extends EventType = EventType,
  S = unknown,
> extends ViewBase<S> {
  kind: 'join';
  leftType: L;
  rightType: R;
  window: TumblingSpec;
  boundMs: number;
  key(left: EventOf<L>): string;
  leftMatchKey(left: EventOf<L>): string;
  rightMatchKey(right: EventOf<R>): string;
  aggregate: Aggregate<number, S>;
}

/** Erased forms, as jobs hold them (method parameters are bivariant, so concrete views fit). */
export type AnyView = WindowView | SessionView | JoinView;

/** The event types a view reads. */
export function inputTypesOf(view: AnyView): readonly EventType[] {
  return view.kind === 'join' ? [view.leftType, view.rightType] : view.inputTypes;
}

function checkColumns(view: AnyView): void {
  const spec = viewSpec(view.name);
  const fail = (detail: string): never => {
    throw new Error(`${view.name}: ${detail}`);
  };
  if (spec.timing !== (view.kind === 'session' ? 'session' : 'window'))
    fail(`catalog timing is ${spec.timing}`);
  if (view.rows === undefined && view.keyColumns.join() !== spec.keys.join()) {
    fail(`key columns [${view.keyColumns.join(', ')}] differ from the catalog's [${spec.keys.join(', ')}]`);
  }
  if ((view.rows === undefined) !== (view.mergeWindowRows === undefined))
    fail('rows and mergeWindowRows go together');
  const initial = view.aggregate.partial(view.aggregate.init() as never);
  const produced = new Set([...Object.keys(initial), ...Object.keys(view.finish(initial))]);
  if (view.rows === undefined) {
    for (const name of Object.keys(initial))
      if (!(name in view.merge)) fail(`column ${name} has no merge kind`);
  }
  for (const { name } of spec.columns.slice(2)) {
    if (!produced.has(name) && !view.keyColumns.includes(name) && view.rows === undefined) {
      fail(`catalog column ${name} is not produced`);
    }
  }
  for (const name of produced) {
    const known =
      spec.columns.some((column) => column.name === name) || view.mergeColumnTypes?.[name] !== undefined;
    if (!known) fail(`column ${name} is neither in the catalog nor a typed _ merge column`);
    if (!name.startsWith('_') && view.mergeColumnTypes?.[name] !== undefined)
      fail(`merge column ${name} needs a _ prefix`);
  }
}

/** Checks a view definition against the catalog (throws `<view>: ...`) and returns it. */
export function defineView<V extends AnyView>(view: V): V {
  checkColumns(view);
  return view;
}

/** A tumbling/sliding view; the event type and state are inferred from `inputTypes` and `aggregate`. */
export function windowView<T extends EventType, S>(view: Omit<WindowView<T, S>, 'kind'>): WindowView<T, S> {
  return defineView({ kind: 'window', ...view } as WindowView<T, S> & AnyView) as WindowView<T, S>;
}

export function sessionView<T extends EventType, S>(
  view: Omit<SessionView<T, S>, 'kind'>,
): SessionView<T, S> {
  return defineView({ kind: 'session', ...view } as SessionView<T, S> & AnyView) as SessionView<T, S>;
}

export function joinView<L extends EventType, R extends EventType, S>(
  view: Omit<JoinView<L, R, S>, 'kind'>,
): JoinView<L, R, S> {
  return defineView({ kind: 'join', ...view } as JoinView<L, R, S> & AnyView) as JoinView<L, R, S>;
}
