/**
 * When a logical row is complete (docs/contract/semantics.md "Finality"): once the job's completeness watermark W has
 * passed its window end, plus the join bound for join views, or its session end for sessions.
 */
import type { ViewRow } from '../../events/view-dump.ts';
import type { AnyView } from './view-definition.ts';

/** The value W must reach for the row to be complete. */
export function completeAtMs(view: AnyView, row: ViewRow): number {
  if (view.kind === 'session') return Number(row.session_end);
  const endMs = Number(row.window_end);
  return view.kind === 'join' ? endMs + view.boundMs : endMs;
}

/** Per row: seconds from its completion time + D to `visibleMs`, when it became visible (finality latency). */
export function finalityLatenciesS(
  views: readonly AnyView[],
  rowsByView: ReadonlyMap<string, readonly ViewRow[]>,
  watermarkDelayMs: number,
  visibleMs: number,
): number[] {
  const seconds: number[] = [];
  for (const view of views) {
    for (const row of rowsByView.get(view.name) ?? []) {
      seconds.push(Math.max(0, visibleMs - (completeAtMs(view, row) + watermarkDelayMs)) / 1000);
    }
  }
  return seconds;
}
