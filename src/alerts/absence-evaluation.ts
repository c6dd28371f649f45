/**
 * An absence rule (`absent_for`): fires when the complete windows of the view hold no row (of its
 * `where`) for that long, resolved by the first row after the silence began. Pure, like
 * threshold-evaluation.ts. The silence starts one window step after the newest window with a row, so
 * every evaluator that saw that row names the episode the same way.
 */
import type { ViewRow } from '../events/view-dump.ts';
import type { AbsenceRule } from './alert-rules.ts';
import { makeTransition, type Transition } from './alert-transition.ts';
import { rowsByStart, type Evaluated, type WindowRange } from './threshold-evaluation.ts';

export interface AbsenceState {
  /** Start of the newest window with a row; null when none was seen. */
  lastSeenMs: number | null;
  /** Where the silence begins when no row was seen (the first window looked at). */
  silentFromMs: number;
  firing: { sinceMs: number } | null;
}

export function initialAbsenceState(
  rule: AbsenceRule,
  lastSeenMs: number | null,
  scanFromMs: number,
): AbsenceState {
  return {
    lastSeenMs,
    silentFromMs: lastSeenMs === null ? scanFromMs : lastSeenMs + rule.stepMs,
    firing: null,
  };
}

export function evaluateAbsence(
  rule: AbsenceRule,
  startColumn: string,
  state: AbsenceState,
  rows: readonly ViewRow[],
  range: WindowRange,
): Evaluated<AbsenceState> {
  const transitions: Transition[] = [];
  const emit = (kind: 'firing' | 'resolved', sinceMs: number, atMs: number, out: readonly ViewRow[]) =>
    transitions.push(
      makeTransition({
        rule: rule.name,
        severity: rule.severity,
        view: rule.view,
        key: rule.where,
        state: kind,
        sinceMs,
        atMs,
        rows: out,
        provisional: false,
      }),
    );
  let { lastSeenMs, silentFromMs, firing } = state;
  const windows = rowsByStart(rule, startColumn, rows, range);
  if (firing !== null) {
    const first = windows.find(([startMs]) => startMs >= firing!.sinceMs);
    if (first !== undefined) {
      emit('resolved', firing.sinceMs, first[0], first[1].slice(0, 1));
      firing = null;
    }
  }
  const newestMs = windows.at(-1)?.[0];
  if (newestMs !== undefined && (lastSeenMs === null || newestMs > lastSeenMs)) {
    lastSeenMs = newestMs;
    silentFromMs = newestMs + rule.stepMs;
  }
  if (firing === null && range.toMs - silentFromMs >= rule.absentForMs) {
    firing = { sinceMs: silentFromMs };
    emit('firing', silentFromMs, silentFromMs + rule.absentForMs, []);
  }
  return { state: { lastSeenMs, silentFromMs, firing }, transitions };
}

/** The state a logged transition leaves: firing, or resolved by a row at its `atMs`. */
export function restoreAbsence(rule: AbsenceRule, state: AbsenceState, logged: Transition): AbsenceState {
  if (logged.state === 'firing') return { ...state, firing: { sinceMs: logged.sinceMs } };
  const seenMs = Math.max(logged.atMs, state.lastSeenMs ?? -Infinity);
  return {
    lastSeenMs: seenMs,
    silentFromMs: Math.max(state.silentFromMs, seenMs + rule.stepMs),
    firing: null,
  };
}
