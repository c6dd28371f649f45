/**
 * The rows of a `final` event, from storage through the merge (merged-rows.ts): the rows of the windows
 * (sessions) whose completion time lies in (afterMs, throughMs]: a window starting at s completes at
 * s + its tail (view-windows.ts), a session at its end. Subscribers at the same place share one read
 * (a small cache of the latest spans), and each row is rendered once for all of them.
 */
import type { ViewRow } from '../events/view-dump.ts';
import type { MergedRows } from './merged-rows.ts';
import { completeAtMs, rowJson } from './stream-events.ts';
import { completionTailMs } from './view-windows.ts';

export interface FinalRow {
  row: ViewRow;
  completeAtMs: number;
  /** The row as the JSON answer renders it. */
  json: string;
}

/** How far before the completion span a session may have started (sessions have no bound). */
export const SESSION_LOOKBACK_MS = 24 * 60 * 60_000;
const CACHED_SPANS = 64;

export class FinalRows {
  private readonly spans = new Map<string, Promise<FinalRow[]>>();

  constructor(private readonly rows: MergedRows) {}

  /** Rows completing in (afterMs, throughMs], in completion order (within it, as the JSON answer sorts). */
  between(view: string, afterMs: number, throughMs: number): Promise<FinalRow[]> {
    const key = `${view}|${afterMs}|${throughMs}`;
    let span = this.spans.get(key);
    if (span === undefined) {
      span = this.read(view, afterMs, throughMs);
      span.catch(() => this.spans.delete(key)); // a failed read is tried again, not remembered
      this.spans.set(key, span);
      if (this.spans.size > CACHED_SPANS) this.spans.delete(this.spans.keys().next().value!);
    }
    return span;
  }

  private async read(view: string, afterMs: number, throughMs: number): Promise<FinalRow[]> {
    const tailMs = completionTailMs(view);
    // Window starts in [after − tail + 1, through − tail + 1): completion in (after, through], in whole ms.
    const range = Number.isFinite(tailMs)
      ? { fromMs: afterMs - tailMs + 1, toMs: throughMs - tailMs + 1 }
      : { fromMs: afterMs - SESSION_LOOKBACK_MS, toMs: throughMs + 1 };
    const request = Number.isFinite(range.fromMs) ? { view, ...range } : { view, toMs: range.toMs };
    const answer = await this.rows.rows(request);
    const rows: FinalRow[] = [];
    for (const { row, source } of answer.rows) {
      if (source === 'provisional') continue; // the merge adds them with a provisional source
      const at = completeAtMs(view, row);
      if (at > afterMs && at <= throughMs)
        rows.push({ row, completeAtMs: at, json: rowJson(view, row, source) });
    }
    return rows.sort((a, b) => a.completeAtMs - b.completeAtMs); // stable: the answer's order within
  }
}

/**
 * Splits the rows of (afterMs, throughMs] into events of about `rowsPerEvent` rows, cut only between
 * completion times, so each event's id (the completion time it ends at) is a true resume point. The
 * last part always ends at throughMs.
 */
export function splitByCompletion(
  rows: readonly FinalRow[],
  throughMs: number,
  rowsPerEvent: number,
): { throughMs: number; rows: FinalRow[] }[] {
  const parts: { throughMs: number; rows: FinalRow[] }[] = [];
  let current: FinalRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    current.push(rows[i]!);
    const next = rows[i + 1];
    if (current.length >= rowsPerEvent && next !== undefined && next.completeAtMs > rows[i]!.completeAtMs) {
      parts.push({ throughMs: rows[i]!.completeAtMs, rows: current });
      current = [];
    }
  }
  parts.push({ throughMs, rows: current });
  return parts;
}
