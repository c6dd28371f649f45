/** Filtering rows on their start column (window_start or session_start) to `[fromMs, toMs)`. */

/** Window starts (or session starts) in `[fromMs, toMs)`; either end may be open. */
export interface StartRange {
  fromMs?: number;
  toMs?: number;
}

const DATE_DIR = /\/date=(\d{4}-\d{2}-\d{2})\//;

function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** UTC midnight (epoch ms) of a file's date directory; undefined for a key without one. */
export function dateDirDayMs(key: string): number | undefined {
  const date = DATE_DIR.exec(key)?.[1];
  return date === undefined ? undefined : Date.parse(`${date}T00:00:00Z`);
}

/** Whether a file's date directory can hold rows starting in the range (dates compare as strings). */
export function dateInRange(key: string, range: StartRange): boolean {
  const date = DATE_DIR.exec(key)?.[1];
  if (date === undefined) return true;
  if (range.fromMs !== undefined && date < utcDay(range.fromMs)) return false;
  return range.toMs === undefined || date <= utcDay(range.toMs - 1);
}

export function inStartRange(startMs: number, range: StartRange): boolean {
  return (
    (range.fromMs === undefined || startMs >= range.fromMs) &&
    (range.toMs === undefined || startMs < range.toMs)
  );
}
