/**
 * What `serve` knows of windows that are not complete yet: the current value of each open (window, key),
 * merged over every partition of the job and every instance that runs it (docs/serving.md "Provisional
 * rows"). A provisional row has the view's columns and can still change; once the window is complete
 * the final speed row answers for it instead.
 */
import type { ViewRow } from '../events/view-dump.ts';
import type { TimeRange } from './batch-source.ts';

/** The provisional rows of one view that changed in one update (merged rows, not per partition). */
export interface ProvisionalChange {
  view: string;
  rows: ViewRow[];
  /** When the newest record behind these rows was processed (ms since the epoch). */
  asOfMs: number;
}

export interface ProvisionalRows {
  /**
   * The current provisional rows of `view` whose window (session) starts in `range`, leaving out
   * windows complete at `completeMs` when given (the caller's fresher completeness).
   */
  rowsOf(view: string, range: TimeRange, completeMs?: number): ViewRow[];
  /** When the newest provisional value of the view's job was processed; null before the first. */
  asOfMs(view: string): number | null;
  /**
   * Calls `listener` after each update with the rows that changed, of the views `wants` (checked at each
   * update; default every view); returns the unsubscribe.
   */
  onChange(listener: (change: ProvisionalChange) => void, wants?: (view: string) => boolean): () => void;
}
