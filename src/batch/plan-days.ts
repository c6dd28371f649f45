/**
 * Which (day, views) a run computes. Days named on the command line must each be closed for every view
 * asked for and have archived events on those views' topics (on date D or D + 1, where its rows' events
 * are), else the run is refused before anything is written. `closed` takes every day with archived events
 * that is closed for a view and that the manifest lacks for it, or has from other archive files (late
 * records gathered since, a compaction): only the files whose event times meet the day's load window
 * count (archive-tables.ts `dayFiles`), so the next date's files past the margin do not make it due.
 */
import { JOB_TOPICS } from '../events/topics.ts';
import type { ViewSpec } from '../events/view-catalog.ts';
import { archiveUse, datesWithData, type ArchiveUse, type TopicArchive } from './archive-tables.ts';
import { utcDate } from '../storage/layout.ts';
import { DAY_MS, dayStartMs, dayWindow, isClosed, type DayWindow } from './batch-days.ts';
import { BatchError } from './batch-error.ts';
import { needsComputing, type BatchManifest } from './manifest.ts';

export type DaySelection = { kind: 'days'; days: readonly string[] } | { kind: 'closed' };

export interface PlanInput {
  selection: DaySelection;
  views: readonly ViewSpec[];
  marginMs: number;
  archive: ReadonlyMap<string, TopicArchive>;
  completeThrough: ReadonlyMap<string, number | undefined>;
  manifest: BatchManifest;
}

export interface PlannedDay {
  window: DayWindow;
  views: ViewSpec[];
  /** Per topic of those views, what the day reads. */
  archive: Record<string, ArchiveUse>;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? 'nothing yet' : new Date(ms).toISOString();
}

/** Rows of day D come from events of [D, D + 1 day + L): archive dates D and D + 1. */
function rowDates(day: string): string[] {
  return [day, utcDate(dayStartMs(day) + DAY_MS)];
}

function hasData(input: PlanInput, spec: ViewSpec, day: string): boolean {
  return JOB_TOPICS[spec.job].some((topic) => {
    const archive = input.archive.get(topic);
    if (archive === undefined) return false;
    const dates = datesWithData(archive);
    return rowDates(day).some((date) => dates.has(date));
  });
}

function plannedDay(input: PlanInput, window: DayWindow, views: ViewSpec[]): PlannedDay {
  const topics = [...new Set(views.flatMap((spec) => JOB_TOPICS[spec.job]))].sort();
  const archive: Record<string, ArchiveUse> = {};
  for (const topic of topics) {
    const tables = input.archive.get(topic);
    if (tables !== undefined) archive[topic] = archiveUse(tables, window);
  }
  return { window, views, archive };
}

/** A named day, checked: archived events on the views' topics, and closed for each view. */
function namedDay(input: PlanInput, day: string): PlannedDay {
  const window = dayWindow(day, input.marginMs);
  if (!input.views.some((spec) => hasData(input, spec, day))) {
    const topics = [...new Set(input.views.flatMap((spec) => JOB_TOPICS[spec.job]))].join(', ');
    throw new BatchError(
      'no_archive',
      `day ${day} has no archived events on ${topics} (dates ${rowDates(day).join(', ')})`,
    );
  }
  const open = input.views.filter((spec) => !isClosed(window, input.completeThrough.get(spec.name)));
  if (open.length > 0) {
    const least = open.reduce((a, b) =>
      (input.completeThrough.get(a.name) ?? -Infinity) <= (input.completeThrough.get(b.name) ?? -Infinity)
        ? a
        : b,
    );
    throw new BatchError(
      'day_not_closed',
      `day ${day} is not closed: ${least.name} is complete through ${iso(input.completeThrough.get(least.name))}` +
        `${open.length > 1 ? ` (and ${open.length - 1} more views are behind)` : ''}; ` +
        `the day needs ${iso(window.loadToMs)} (its end + ${input.marginMs / 60_000} min)`,
    );
  }
  return plannedDay(input, window, [...input.views]);
}

export function planDays(input: PlanInput): PlannedDay[] {
  if (input.selection.kind === 'days') return input.selection.days.map((day) => namedDay(input, day));
  const days = new Set<string>();
  // A date with events gives rows to its own day and, through the margin, to the day before.
  for (const archive of input.archive.values())
    for (const date of datesWithData(archive)) days.add(date).add(utcDate(dayStartMs(date) - DAY_MS));
  const planned: PlannedDay[] = [];
  for (const day of [...days].sort()) {
    const window = dayWindow(day, input.marginMs);
    const due = input.views.filter((spec) => {
      if (!hasData(input, spec, day) || !isClosed(window, input.completeThrough.get(spec.name))) return false;
      const uses = plannedDay(input, window, [spec]).archive;
      return needsComputing(input.manifest, day, spec.name, uses, input.marginMs);
    });
    if (due.length > 0) planned.push(plannedDay(input, window, due));
  }
  return planned;
}
