/**
 * Which windows the batch layer answers for a view (docs/serving.md "The merge"): the days of the
 * manifest's first contiguous run of that view's days, oldest first. The **boundary** is the end of
 * that run; windows starting before it (and not before the run's first day) come from batch_views/,
 * all others from the speed layer's complete rows. A missing day ends the run, so a gap is never
 * answered from a batch day that was not computed.
 */
import { DAY_MS, dayStartMs } from '../batch/batch-days.ts';
import type { BatchManifest } from '../batch/manifest.ts';

export interface BatchCoverage {
  /** Start of the oldest batch day of the view. */
  fromMs: number;
  /** The boundary: end of the newest day of the contiguous run. */
  toMs: number;
  /** The days of the run with the table version each was read at (for caching). */
  days: { day: string; startMs: number; tableVersion: number }[];
}

/** null when the manifest has no day of the view: everything then comes from the speed layer. */
export function batchCoverage(manifest: BatchManifest, view: string): BatchCoverage | null {
  const days = Object.keys(manifest.days)
    .filter((day) => manifest.days[day]?.[view] !== undefined)
    .sort();
  if (days.length === 0) return null;
  const run: BatchCoverage['days'] = [];
  for (const day of days) {
    const startMs = dayStartMs(day);
    const previous = run.at(-1);
    if (previous !== undefined && startMs !== previous.startMs + DAY_MS) break;
    run.push({ day, startMs, tableVersion: manifest.days[day]![view]!.table_version });
  }
  return { fromMs: run[0]!.startMs, toMs: run.at(-1)!.startMs + DAY_MS, days: run };
}

/** Whether the batch layer answers for a window (or session) starting at `startMs`. */
export function fromBatch(coverage: BatchCoverage | null, startMs: number): boolean {
  return coverage !== null && startMs >= coverage.fromMs && startMs < coverage.toMs;
}
