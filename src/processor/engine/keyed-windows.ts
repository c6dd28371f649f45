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

/** The cells `dirty` names (window start → keys), with their live states. */
export function dirtyCells(dirty: Map<number, Set<string>>, windows: KeyedWindows): PlainKeyedWindows {
  return [...dirty].map(([startMs, keys]) => {
    const states = windows.get(startMs)!;
    return [startMs, [...keys].map((key): [string, unknown] => [key, states.get(key)])];
  });
}

export function countKeyedWindows(windows: KeyedWindows): StoreCounts {
  let entries = 0;
  for (const keys of windows.values()) entries += keys.size;
  return { windows: windows.size, entries };
}
