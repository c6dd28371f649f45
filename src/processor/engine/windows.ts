/**
 * Window specs (semantics.md "Time and windows"): half-open `[start, end)`, aligned to the Unix epoch.
 * A spec only answers "which windows / panes hold time t"; state and triggering live elsewhere.
 */

export interface TumblingSpec {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
}

/**
 * Sliding windows kept as panes (stream slicing): each event updates the one pane of `slideMs` that
 * holds it; the window `[s, s + sizeMs)` is the merge of the `sizeMs / slideMs` panes from `s` on.
 */
export interface SlidingSpec {
  readonly kind: 'sliding';
  readonly sizeMs: number;
  readonly slideMs: number;
}

/**
 * Session windows per key: events less than the gap apart share a session, which ends at last + gap.
 * The gap is a run option (`--session-gap`, EngineOptions.sessionGapMs), not part of the view.
 */
export interface SessionSpec {
  readonly kind: 'session';
}

export type WindowSpec = TumblingSpec | SlidingSpec | SessionSpec;

function requirePositiveInt(what: string, valueMs: number): void {
  if (!Number.isSafeInteger(valueMs) || valueMs <= 0) {
    throw new Error(`${what} must be a positive whole number of ms, got ${valueMs}`);
  }
}

export function tumbling(sizeMs: number): TumblingSpec {
  requirePositiveInt('tumbling sizeMs', sizeMs);
  return { kind: 'tumbling', sizeMs };
}

export function sliding(sizeMs: number, slideMs: number): SlidingSpec {
  requirePositiveInt('sliding sizeMs', sizeMs);
  requirePositiveInt('sliding slideMs', slideMs);
  if (sizeMs % slideMs !== 0) {
    throw new Error(
      `sliding sizeMs ${sizeMs} must be a multiple of slideMs ${slideMs} (panes tile the window)`,
    );
  }
  return { kind: 'sliding', sizeMs, slideMs };
}

export function session(): SessionSpec {
  return { kind: 'session' };
}

/** Start of the aligned slice of `sizeMs` holding `timeMs` (works for negative times too). */
export function alignedStartMs(timeMs: number, sizeMs: number): number {
  return Math.floor(timeMs / sizeMs) * sizeMs;
}
