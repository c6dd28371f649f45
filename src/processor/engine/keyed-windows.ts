/**
 * Window start → key → aggregate state: the cells of tumbling windows (tumbling-store.ts) and of sliding
 * panes (sliding-store.ts), with their plain form `[start, [key, state][]][]` and their counts. (Each
 * store adds events itself: a shared `add` would make the hot call sites see every kind's views.)
 */
import type { StoreCounts } from './window-store.ts';

export type KeyedWindows = Map<number, Map<string, unknown>>;

export type PlainKeyedWindows = [number, [string, unknown][]][];

/** The cells as plain data sharing the aggregate states. */
export function keyedWindowsAsPlain(windows: KeyedWindows): PlainKeyedWindows {
  return [...windows].map(([startMs, keys]) => [startMs, [...keys]]);
}

/** Cells rebuilt from (and owning) their plain form. */
export function keyedWindowsFromPlain(plain: PlainKeyedWindows): KeyedWindows {
  const windows: KeyedWindows = new Map();
  for (const [startMs, keys] of plain) windows.set(startMs, new Map(keys));
  return windows;
}

/**
 * Cells changed since a snapshot, window start → key → the sizes of the state's growing Sets at the
 * cell's first change (-1 for other slots), or null when the cell is new or has none: written whole.
 */
export type DirtyCells = Map<number, Map<string, number[] | null>>;

/** Notes a change of a cell about to be updated (`state` null: it was just created). */
export function noteDirty(
  dirty: DirtyCells,
  startMs: number,
  key: string,
  state: unknown,
  growing: readonly number[] | undefined,
): void {
  let cells = dirty.get(startMs);
  if (cells === undefined) dirty.set(startMs, (cells = new Map()));
  if (cells.has(key)) return;
  if (state === null || growing === undefined || growing.length === 0) {
    cells.set(key, null);
    return;
  }
  const slots = state as unknown[];
  const sizes = slots.map(() => -1);
  for (const index of growing) sizes[index] = (slots[index] as Set<unknown>).size;
  cells.set(key, sizes);
}

/** The changed cells as a delta: whole ones, and grown ones as [key, base sizes, slots with new members]. */
export function dirtyCells(
  dirty: DirtyCells,
  windows: KeyedWindows,
): { cells: PlainKeyedWindows; grown: GrownCells } {
  const cells: PlainKeyedWindows = [];
  const grown: GrownCells = [];
  for (const [startMs, changed] of dirty) {
    const states = windows.get(startMs)!;
    const whole: [string, unknown][] = [];
    const grew: [string, number[], unknown[]][] = [];
    for (const [key, sizes] of changed) {
      const state = states.get(key);
      if (sizes === null) whole.push([key, state]);
      else grew.push([key, sizes, newMembers(state as unknown[], sizes)]);
    }
    if (whole.length > 0) cells.push([startMs, whole]);
    if (grew.length > 0) grown.push([startMs, grew]);
  }
  return { cells, grown };
}

/** Per window start: [key, the growing Sets' sizes at the previous snapshot (-1: not one), slots]. */
export type GrownCells = [number, [string, number[], unknown[]][]][];

/** The slots, each growing Set replaced by the members added after its first `sizes[index]`. */
function newMembers(slots: readonly unknown[], sizes: readonly number[]): unknown[] {
  return slots.map((slot, index) => {
    const from = sizes[index]!;
    if (from < 0) return slot;
    const added: unknown[] = [];
    let at = 0;
    for (const member of slot as Set<unknown>) if (at++ >= from) added.push(member);
    return added;
  });
}

export function countKeyedWindows(windows: KeyedWindows): StoreCounts {
  let entries = 0;
  for (const keys of windows.values()) entries += keys.size;
  return { windows: windows.size, entries };
}
