/**
 * A threshold rule over the windows of a view, per key (docs/alerts.md "States"): pure, rows in,
 * transitions out, the state returned as a new value (the caller keeps it only once the transitions
 * are logged). A key fires when its condition held in `for` consecutive windows (window starts one
 * step apart) and is resolved at the first later window where it does not: a row that fails the
 * condition, or a complete window without a row of that key.
 */
import type { ViewRow } from '../events/view-dump.ts';
import type { ThresholdRule } from './alert-rules.ts';
import { keyId, makeTransition, type AlertKey, type Transition } from './alert-transition.ts';

export interface KeyTrack {
  key: AlertKey;
  /** Consecutive windows that held, the first starting at streakStartMs. */
  streak: number;
  streakStartMs: number;
  /** The next window start to judge: a complete window there without a row breaks the streak. */
  nextMs: number;
  /** The streak's rows, the last `for` of them. */
  rows: readonly ViewRow[];
  firing: { sinceMs: number; rows: readonly ViewRow[] } | null;
}

export interface ThresholdState {
  /** Keys with a streak or a firing alert, by keyId. */
  tracks: ReadonlyMap<string, KeyTrack>;
  /** Per keyId: windows starting at or before this were judged before (restored from the alert log). */
  judgedThroughMs: ReadonlyMap<string, number>;
}

/** Window starts of complete windows: [fromMs, toMs). */
export interface WindowRange {
  fromMs: number;
  toMs: number;
}

export interface Evaluated<S> {
  state: S;
  transitions: Transition[];
}

export const EMPTY_THRESHOLD_STATE: ThresholdState = { tracks: new Map(), judgedThroughMs: new Map() };

export function conditionHolds(rule: ThresholdRule, value: ViewRow[string] | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof rule.threshold !== 'number') {
    if (rule.op === '==') return value === rule.threshold;
    return rule.op === '!=' && value !== rule.threshold;
  }
  const number = Number(value);
  if (Number.isNaN(number)) return false;
  switch (rule.op) {
    case '>':
      return number > rule.threshold;
    case '>=':
      return number >= rule.threshold;
    case '<':
      return number < rule.threshold;
    case '<=':
      return number <= rule.threshold;
    case '==':
      return number === rule.threshold;
    case '!=':
      return number !== rule.threshold;
  }
}

export function keyOf(keyColumns: readonly string[], row: ViewRow): AlertKey {
  return Object.fromEntries(keyColumns.map((column) => [column, String(row[column])]));
}

export function matchesWhere(where: Readonly<Record<string, string>>, row: ViewRow): boolean {
  return Object.entries(where).every(([column, value]) => String(row[column]) === value);
}

/** Rows by window start, ascending, keeping only those of the rule's `where` inside `range`. */
export function rowsByStart(
  rule: { where: Readonly<Record<string, string>> },
  startColumn: string,
  rows: readonly ViewRow[],
  range: WindowRange,
): [number, ViewRow[]][] {
  const groups = new Map<number, ViewRow[]>();
  for (const row of rows) {
    const startMs = Number(row[startColumn]);
    if (startMs < range.fromMs || startMs >= range.toMs || !matchesWhere(rule.where, row)) continue;
    const group = groups.get(startMs);
    if (group === undefined) groups.set(startMs, [row]);
    else group.push(row);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b);
}

export interface ViewShape {
  startColumn: string;
  keyColumns: readonly string[];
}

/** Judges the complete windows of `range` (rows: the view's rows starting in it). */
export function evaluateThreshold(
  rule: ThresholdRule,
  view: ViewShape,
  state: ThresholdState,
  rows: readonly ViewRow[],
  range: WindowRange,
): Evaluated<ThresholdState> {
  const tracks = new Map(state.tracks);
  const transitions: Transition[] = [];
  const emit = (
    track: KeyTrack,
    kind: 'firing' | 'resolved',
    atMs: number,
    sinceMs: number,
    out: readonly ViewRow[],
  ) =>
    transitions.push(
      makeTransition({
        rule: rule.name,
        severity: rule.severity,
        view: rule.view,
        key: track.key,
        state: kind,
        sinceMs,
        atMs,
        rows: out,
        provisional: false,
      }),
    );
  /** The condition did not hold at `atMs`: resolve (an alert whose episode it ends) or forget the streak. */
  const breakAt = (id: string, track: KeyTrack, atMs: number, out: readonly ViewRow[]) => {
    // A window before the episode of an alert fired on provisional rows cannot resolve it.
    if (track.firing !== null && atMs < track.firing.sinceMs)
      tracks.set(id, { ...track, streak: 0, rows: [], nextMs: track.firing.sinceMs });
    else {
      if (track.firing !== null) emit(track, 'resolved', atMs, track.firing.sinceMs, out);
      tracks.delete(id);
    }
  };
  const closeGaps = (beforeMs: number) => {
    for (const [id, track] of tracks) {
      const gapMs = Math.max(track.nextMs, range.fromMs);
      if (gapMs < beforeMs) breakAt(id, track, gapMs, []);
    }
  };
  for (const [startMs, windowRows] of rowsByStart(rule, view.startColumn, rows, range)) {
    closeGaps(startMs);
    for (const row of windowRows) {
      const key = keyOf(view.keyColumns, row);
      const id = keyId(key);
      if (startMs <= (state.judgedThroughMs.get(id) ?? -Infinity)) continue;
      const track = tracks.get(id);
      if (!conditionHolds(rule, row[rule.column])) {
        if (track !== undefined) breakAt(id, track, startMs, [row]);
        continue;
      }
      const continues = track !== undefined && track.streak > 0 && track.nextMs === startMs;
      const next: KeyTrack = {
        key,
        streak: continues ? track.streak + 1 : 1,
        streakStartMs: continues ? track.streakStartMs : startMs,
        nextMs: startMs + rule.stepMs,
        rows: continues ? [...track.rows, row].slice(-rule.for) : [row],
        firing: track?.firing ?? null,
      };
      if (next.firing === null && next.streak >= rule.for) {
        next.firing = { sinceMs: next.streakStartMs, rows: next.rows };
        emit(next, 'firing', startMs, next.streakStartMs, next.rows);
      }
      tracks.set(id, next);
    }
  }
  closeGaps(range.toMs);
  return { state: { ...state, tracks }, transitions };
}

/**
 * `on: provisional`: fires a key whose open windows' provisional rows complete a streak of `for`
 * (continuing its judged streak), before the windows complete. The episode gets the id the final rows
 * would give it, so their confirmation is no second transition; a final window from the episode's
 * start on that fails the condition resolves it as usual.
 */
export function peekProvisional(
  rule: ThresholdRule,
  view: ViewShape,
  state: ThresholdState,
  provisionalRows: readonly ViewRow[],
  openFromMs: number,
): Evaluated<ThresholdState> {
  const tracks = new Map(state.tracks);
  const transitions: Transition[] = [];
  const streaks = new Map<string, { streak: number; startMs: number; nextMs: number; rows: ViewRow[] }>();
  for (const [startMs, windowRows] of rowsByStart(rule, view.startColumn, provisionalRows, {
    fromMs: openFromMs,
    toMs: Infinity,
  })) {
    for (const row of windowRows) {
      const key = keyOf(view.keyColumns, row);
      const id = keyId(key);
      const track = tracks.get(id);
      if (track?.firing != null) continue;
      const open =
        streaks.get(id) ??
        (track === undefined
          ? { streak: 0, startMs, nextMs: startMs, rows: [] }
          : {
              streak: track.streak,
              startMs: track.streakStartMs,
              nextMs: track.nextMs,
              rows: [...track.rows],
            });
      if (!conditionHolds(rule, row[rule.column])) {
        streaks.set(id, { streak: 0, startMs, nextMs: startMs, rows: [] });
        continue;
      }
      const continues = open.streak > 0 && open.nextMs === startMs;
      const next = continues
        ? {
            streak: open.streak + 1,
            startMs: open.startMs,
            nextMs: startMs + rule.stepMs,
            rows: [...open.rows, row].slice(-rule.for),
          }
        : { streak: 1, startMs, nextMs: startMs + rule.stepMs, rows: [row] };
      streaks.set(id, next);
      if (next.streak < rule.for) continue;
      const firing = { sinceMs: next.startMs, rows: next.rows };
      tracks.set(
        id,
        track === undefined
          ? { key, streak: 0, streakStartMs: next.startMs, nextMs: next.startMs, rows: [], firing }
          : { ...track, firing },
      );
      transitions.push(
        makeTransition({
          rule: rule.name,
          severity: rule.severity,
          view: rule.view,
          key,
          state: 'firing',
          sinceMs: next.startMs,
          atMs: startMs,
          rows: next.rows,
          provisional: true,
        }),
      );
    }
  }
  return { state: { ...state, tracks }, transitions };
}

/** The state a logged transition leaves (a restart, or another process's transition): latest per key. */
export function restoreThreshold(
  rule: ThresholdRule,
  state: ThresholdState,
  logged: Transition,
): ThresholdState {
  const id = keyId(logged.key);
  const tracks = new Map(state.tracks);
  const judgedThroughMs = new Map(state.judgedThroughMs);
  // A provisional firing has not been judged on final rows yet: from its episode's start on, they decide.
  const judgedMs = logged.provisional ? logged.sinceMs - rule.stepMs : logged.atMs;
  judgedThroughMs.set(id, Math.max(judgedMs, judgedThroughMs.get(id) ?? -Infinity));
  if (logged.state === 'resolved') tracks.delete(id);
  else
    tracks.set(id, {
      key: logged.key,
      streak: 0,
      streakStartMs: logged.sinceMs,
      nextMs: judgedMs + rule.stepMs,
      rows: [],
      firing: { sinceMs: logged.sinceMs, rows: logged.rows },
    });
  return { tracks, judgedThroughMs };
}
