/**
 * Which events a day's batch rows need (docs/batch.md "Days"). A row belongs to the UTC day of its
 * window_start (session_start). Day D is computed from the archived events of [D − L, D + 1 day + L):
 * windows of D end by D + 1 day + 5 min, the joins of its windows look 30 min past their end, and a
 * session starting in D is told apart from one running on from D − 1 by the events of the gap before it.
 * L (default 1 h) must cover the longest join bound and the session gap; a session of D whose chain
 * runs on past D + 1 day + L is cut there (reported, docs/batch.md "Limits").
 */
import { utcDate } from '../storage/layout.ts';
import { BatchError } from './batch-error.ts';

export const DAY_MS = 86_400_000;
/** L: the look-back and look-ahead around a day. */
export const DEFAULT_MARGIN_MS = 3_600_000;
/** The longest bound a view looks past its window end: the grading-queue join (views.md). */
export const LONGEST_JOIN_BOUND_MS = 30 * 60_000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The first instant of day `day` (`YYYY-MM-DD`, UTC); throws `bad_days` on anything else. */
export function dayStartMs(day: string): number {
  const ms = DAY.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : NaN;
  if (Number.isNaN(ms) || utcDate(ms) !== day)
    throw new BatchError('bad_days', `${JSON.stringify(day)} is not a day (YYYY-MM-DD)`);
  return ms;
}

/** Every day from `from` to `to`, both included. */
export function daysFrom(from: string, to: string): string[] {
  const [first, last] = [dayStartMs(from), dayStartMs(to)];
  if (last < first) throw new BatchError('bad_days', `--to ${to} is before --from ${from}`);
  const days: string[] = [];
  for (let ms = first; ms <= last; ms += DAY_MS) days.push(utcDate(ms));
  return days;
}

export interface DayWindow {
  day: string;
  /** The rows kept: start in [dayStartMs, dayEndMs). */
  dayStartMs: number;
  dayEndMs: number;
  /** The events loaded: event_time in [loadFromMs, loadToMs). */
  loadFromMs: number;
  loadToMs: number;
  /** The archive's date partitions holding those events. */
  dates: string[];
}

/** Throws unless the margin covers the joins and the session gap. */
export function checkMargin(marginMs: number, sessionGapMs: number): void {
  if (!Number.isSafeInteger(marginMs) || marginMs < Math.max(LONGEST_JOIN_BOUND_MS, sessionGapMs))
    throw new Error(
      `batch: the margin L must be at least the longest join bound (${LONGEST_JOIN_BOUND_MS} ms) and the ` +
        `session gap (${sessionGapMs} ms), got ${marginMs}`,
    );
}

export function dayWindow(day: string, marginMs = DEFAULT_MARGIN_MS): DayWindow {
  const start = dayStartMs(day);
  const loadFromMs = start - marginMs;
  const loadToMs = start + DAY_MS + marginMs;
  const dates: string[] = [];
  for (let ms = Math.floor(loadFromMs / DAY_MS) * DAY_MS; ms < loadToMs; ms += DAY_MS)
    dates.push(utcDate(ms));
  return { day, dayStartMs: start, dayEndMs: start + DAY_MS, loadFromMs, loadToMs, dates };
}

/** Day D is closed once the completeness of its views has reached D + 1 day + L (the end of its load). */
export function isClosed(window: DayWindow, completeThroughMs: number | undefined): boolean {
  return completeThroughMs !== undefined && completeThroughMs >= window.loadToMs;
}
