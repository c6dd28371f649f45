/**
 * What changed in one view's state on one partition since its previous snapshot, as plain data: the
 * views of an incremental snapshot piece (snapshot.ts). Whole states re-encoded every commit grew with
 * what is open, not with what arrived: at 10,000 events/s a partition's sessions alone were megabytes
 * a second. A delta names the cells it replaces; what a close removed is what the delta no longer lists
 * as open (windows, panes), or a key with an empty list (sessions, join right events).
 */
import type { PendingLeft, PlainJoinState } from './join-buffer.ts';
import type { GrownCells, PlainKeyedWindows } from './keyed-windows.ts';
import type { OpenSession, PlainSessionState } from './session-store.ts';
import type { PlainSlidingState } from './sliding-store.ts';
import type { PlainTumblingState } from './tumbling-store.ts';
import type { PlainViewState } from './view-state.ts';

export interface TumblingDelta {
  kind: 'tumbling-delta';
  /** Every open window start; a base window not listed has closed. */
  open: number[];
  /** The changed cells of each window written whole. */
  cells: PlainKeyedWindows;
  /** The other changed cells: only the new members of their growing Sets (keyed-windows.ts). */
  grown: GrownCells;
}

export interface SlidingDelta {
  kind: 'sliding-delta';
  emittedThroughMs: number;
  /** Every pane start kept; a base pane not listed was dropped. */
  open: number[];
  cells: PlainKeyedWindows;
  grown: GrownCells;
}

export interface SessionDelta {
  kind: 'session-delta';
  /** Each changed key with all its open sessions ([]: none left). */
  sessions: [string, OpenSession[]][];
}

export interface JoinDelta {
  kind: 'join-delta';
  /** Every open window start. */
  open: number[];
  /**
   * Each changed (window, group): its length at the previous snapshot, the left events appended since,
   * and the new delays of earlier ones that found a match ([index, delayMs]).
   */
  lefts: [number, string, number, PendingLeft[], [number, number][]][];
  /** Each changed match key with all its right event times ([]: none left). */
  rights: [string, number[]][];
}

export type PlainViewDelta = TumblingDelta | SlidingDelta | SessionDelta | JoinDelta;

export function isViewDelta(plain: PlainViewState | PlainViewDelta): plain is PlainViewDelta {
  return plain.kind.endsWith('-delta');
}

/** `base` with `delta` applied (a new value; `base` is left as it was). */
export function applyViewDelta(base: PlainViewState, delta: PlainViewDelta): PlainViewState {
  const expected = delta.kind.slice(0, -'-delta'.length);
  if (base.kind !== expected)
    throw new Error(`engine snapshot chain: a ${delta.kind} follows ${base.kind} state`);
  switch (delta.kind) {
    case 'tumbling-delta':
      return { kind: 'tumbling', windows: applyCells((base as PlainTumblingState).windows, delta) };
    case 'sliding-delta':
      return {
        kind: 'sliding',
        emittedThroughMs: delta.emittedThroughMs,
        panes: applyCells((base as PlainSlidingState).panes, delta),
      };
    case 'session-delta':
      return { kind: 'session', sessions: applyLists((base as PlainSessionState).sessions, delta.sessions) };
    case 'join-delta': {
      const join = base as PlainJoinState;
      return {
        kind: 'join',
        lefts: applyLefts(join.lefts, delta),
        rights: applyLists(join.rights, delta.rights),
      };
    }
  }
}

/** Windows (or panes) still open, with the changed cells set. */
function applyCells(base: PlainKeyedWindows, delta: TumblingDelta | SlidingDelta): PlainKeyedWindows {
  const open = new Set(delta.open);
  const windows = new Map<number, Map<string, unknown>>();
  for (const [startMs, keys] of base) if (open.has(startMs)) windows.set(startMs, new Map(keys));
  for (const [startMs, keys] of delta.cells) {
    let cells = windows.get(startMs);
    if (cells === undefined) windows.set(startMs, (cells = new Map()));
    for (const [key, state] of keys) cells.set(key, state);
  }
  for (const [startMs, keys] of delta.grown ?? []) {
    const cells = windows.get(startMs);
    for (const [key, sizes, slots] of keys) {
      const base = cells?.get(key);
      if (!Array.isArray(base))
        throw new Error(`engine snapshot chain: cell ${startMs}|${key} grew but has no earlier state`);
      cells!.set(key, grownState(base, sizes, slots, `${startMs}|${key}`));
    }
  }
  return [...windows].map(([startMs, keys]) => [startMs, [...keys]]);
}

/** The groups of open windows, with the changed ones' matches and appended events applied. */
function applyLefts(base: PlainJoinState['lefts'], delta: JoinDelta): PlainJoinState['lefts'] {
  const open = new Set(delta.open);
  const groups = new Map<string, [number, string, PendingLeft[]]>();
  for (const [startMs, key, list] of base)
    if (open.has(startMs)) groups.set(`${startMs}|${key}`, [startMs, key, list]);
  for (const [startMs, key, baseLength, appended, delays] of delta.lefts) {
    const id = `${startMs}|${key}`;
    const list = [...(groups.get(id)?.[2] ?? [])];
    if (list.length !== baseLength)
      throw new Error(
        `engine snapshot chain: join group ${id} holds ${list.length} events, its delta follows ${baseLength}`,
      );
    for (const [index, delayMs] of delays) list[index] = { ...list[index]!, delayMs };
    groups.set(id, [startMs, key, [...list, ...appended]]);
  }
  return [...groups.values()];
}

/** A cell's slots with each growing Set extended by its new members (the base is left as it was). */
function grownState(base: unknown[], sizes: number[], slots: unknown[], cell: string): unknown[] {
  return slots.map((slot, index) => {
    const from = sizes[index]!;
    if (from < 0) return slot;
    const earlier = base[index];
    if (!(earlier instanceof Set) || earlier.size !== from)
      throw new Error(
        `engine snapshot chain: cell ${cell} slot ${index} does not hold the ${from} members its delta follows`,
      );
    const members = new Set(earlier);
    for (const member of slot as unknown[]) members.add(member);
    return members;
  });
}

/** Keyed lists with each changed key's list replaced, or removed when empty. */
function applyLists<T>(base: [string, T[]][], changed: [string, T[]][]): [string, T[]][] {
  const lists = new Map(base);
  for (const [key, list] of changed) {
    if (list.length === 0) lists.delete(key);
    else lists.set(key, list);
  }
  return [...lists];
}
