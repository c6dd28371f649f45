/**
 * The rows of a session view that the batch's load window explains (docs/batch.md "Limits"). Day D is
 * computed from events before D + 1 day + L, so a batch session whose end passes that bound may be only
 * the beginning of a chain that goes on: the speed layer's row of it then ends later (it saw the rest),
 * or is not published yet (its session is still open). Such a pair is set aside, before the comparison,
 * as explained; a batch session past the bound that the speed layer has with the same values stays in
 * and counts as equal, and one whose speed row ends no later is a difference the margin cannot explain.
 */
import type { ViewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import { keyOf, rowId, type RowKey } from './reconcile-diff.ts';

/** A session the batch cut at its load window, and how the speed layer has it. */
export interface PastMarginRow {
  key: RowKey;
  batch_session_end: string;
  /** null: the speed layer has not published the session yet. */
  speed_session_end: string | null;
}

export interface MarginSplit {
  /** The rows left to compare. */
  batch: ViewRow[];
  speed: ViewRow[];
  /** The pairs set aside, in batch row order. */
  pastMargin: PastMarginRow[];
}

const iso = (value: ViewRow[string] | undefined): string => new Date(Number(value)).toISOString();

/** Sets aside the sessions that `loadToMs` (the end of the batch's load window) cut; other views pass through. */
export function splitPastMargin(
  spec: ViewSpec,
  batch: readonly ViewRow[],
  speed: readonly ViewRow[],
  loadToMs: number,
): MarginSplit {
  if (spec.timing !== 'session') return { batch: [...batch], speed: [...speed], pastMargin: [] };
  const end = spec.columns[1]!.name;
  const speedById = new Map(speed.map((row) => [rowId(spec, row), row]));
  const pastMargin: PastMarginRow[] = [];
  const setAside = new Set<ViewRow>();
  for (const row of batch) {
    if (Number(row[end]) <= loadToMs) continue;
    const speedRow = speedById.get(rowId(spec, row));
    if (speedRow !== undefined && Number(speedRow[end]) <= Number(row[end])) continue;
    pastMargin.push({
      key: keyOf(spec, row),
      batch_session_end: iso(row[end]),
      speed_session_end: speedRow === undefined ? null : iso(speedRow[end]),
    });
    setAside.add(row);
    if (speedRow !== undefined) setAside.add(speedRow);
  }
  return {
    batch: batch.filter((row) => !setAside.has(row)),
    speed: speed.filter((row) => !setAside.has(row)),
    pastMargin,
  };
}
