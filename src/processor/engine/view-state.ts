/**
 * The state of one view on one partition, whichever its window kind: creation, plain-data form for
 * snapshots (deep copies; Sets and Maps stay Sets and Maps, encoded by snapshot.ts), and size metrics.
 */
import type { AnyView } from './view-definition.ts';
import { JoinBuffer, type PendingLeft } from './join-buffer.ts';
import { SessionStore, type OpenSession } from './session-store.ts';
import { SlidingStore } from './sliding-store.ts';
import { TumblingStore, type KeyedWindows } from './tumbling-store.ts';

export type ViewState = TumblingStore | SlidingStore | SessionStore | JoinBuffer;

export type PlainKeyedWindows = [number, [string, unknown][]][];

export type PlainViewState =
  | { kind: 'tumbling'; windows: PlainKeyedWindows }
  | { kind: 'sliding'; emittedThroughMs: number; panes: PlainKeyedWindows }
  | { kind: 'session'; sessions: [string, OpenSession[]][] }
  | { kind: 'join'; lefts: [number, string, PendingLeft[]][]; rights: [string, number[]][] };

export function createViewState(view: AnyView, sessionGapMs: number): ViewState {
  if (view.kind === 'join') return new JoinBuffer(view);
  if (view.kind === 'session') return new SessionStore(view, sessionGapMs);
  return view.window.kind === 'tumbling' ? new TumblingStore(view) : new SlidingStore(view);
}

function plainWindows(windows: KeyedWindows): PlainKeyedWindows {
  return [...windows].map(([startMs, keys]) => [startMs, [...keys]]);
}

function fillWindows(windows: KeyedWindows, plain: PlainKeyedWindows): void {
  for (const [startMs, keys] of plain) windows.set(startMs, new Map(keys));
}

/** The state as plain data sharing the live aggregates (valid until the next event; for encoding). */
export function viewStateAsPlain(state: ViewState): PlainViewState {
  let plain: PlainViewState;
  if (state instanceof TumblingStore) plain = { kind: 'tumbling', windows: plainWindows(state.windows) };
  else if (state instanceof SlidingStore) {
    plain = { kind: 'sliding', emittedThroughMs: state.emittedThroughMs, panes: plainWindows(state.panes) };
  } else if (state instanceof SessionStore) plain = { kind: 'session', sessions: [...state.sessions] };
  else {
    const lefts: [number, string, PendingLeft[]][] = [];
    for (const [startMs, groups] of state.windows)
      for (const [key, list] of groups) lefts.push([startMs, key, list]);
    plain = { kind: 'join', lefts, rights: [...state.rightsByMatch] };
  }
  return plain;
}

/** A deep copy of the state as plain data (nothing shared with the live state). */
export function viewStateToPlain(state: ViewState): PlainViewState {
  return structuredClone(viewStateAsPlain(state));
}

/** A live state rebuilt from a plain copy (which it then owns). */
export function viewStateFromPlain(view: AnyView, sessionGapMs: number, plain: PlainViewState): ViewState {
  const state = createViewState(view, sessionGapMs);
  const mismatch = (): never => {
    throw new Error(
      `${view.name}: snapshot holds ${plain.kind} state, the view needs ${state.constructor.name}`,
    );
  };
  if (state instanceof TumblingStore) {
    if (plain.kind !== 'tumbling') mismatch();
    else fillWindows(state.windows, plain.windows);
  } else if (state instanceof SlidingStore) {
    if (plain.kind !== 'sliding') mismatch();
    else {
      state.emittedThroughMs = plain.emittedThroughMs;
      fillWindows(state.panes, plain.panes);
    }
  } else if (state instanceof SessionStore) {
    if (plain.kind !== 'session') mismatch();
    else for (const [key, sessions] of plain.sessions) state.sessions.set(key, sessions);
    state.recomputeEarliestEnd();
  } else if (plain.kind !== 'join') mismatch();
  else {
    for (const [startMs, key, list] of plain.lefts) for (const left of list) state.index(left, startMs, key);
    for (const [matchKey, times] of plain.rights) state.rightsByMatch.set(matchKey, times);
  }
  return state;
}

export interface ViewStateCounts {
  /** Open windows, panes, sessions or join windows. */
  windows: number;
  /** Open (window, key) cells, sessions, or buffered join events. */
  entries: number;
}

export function countViewState(state: ViewState): ViewStateCounts {
  if (state instanceof TumblingStore || state instanceof SlidingStore) {
    const windows = state instanceof TumblingStore ? state.windows : state.panes;
    let entries = 0;
    for (const keys of windows.values()) entries += keys.size;
    return { windows: windows.size, entries };
  }
  if (state instanceof SessionStore) {
    let sessions = 0;
    for (const open of state.sessions.values()) sessions += open.length;
    return { windows: sessions, entries: sessions };
  }
  let entries = 0;
  for (const times of state.rightsByMatch.values()) entries += times.length;
  for (const lefts of state.leftsByMatch.values()) entries += lefts.length;
  return { windows: state.windows.size, entries };
}
