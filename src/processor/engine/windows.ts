/**
 * Window specs and the time rules of windows (docs/contract/semantics.md "Time and windows"), written once: windows
 * are half-open `[start, end)` and aligned to the Unix epoch; a window's contribution is final when the
 * partition watermark reaches its end. A spec only answers "which windows / panes hold time t"; state
 * and triggering live in the stores (tumbling-store.ts, sliding-store.ts, session-store.ts, join-buffer.ts).
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

/** A window `[startMs, endMs)`: it holds `t` when `startMs <= t < endMs`. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

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

/** Start of the one tumbling window holding `timeMs`. */
export function windowStartMs(spec: TumblingSpec, timeMs: number): number {
  return alignedStartMs(timeMs, spec.sizeMs);
}

/** Start of the one sliding pane (a tumbling slice of `slideMs`) holding `timeMs`. */
export function paneStartMs(spec: SlidingSpec, timeMs: number): number {
  return alignedStartMs(timeMs, spec.slideMs);
}

/** Start of the earliest sliding window holding `timeMs` (the latest starts at its pane). */
export function firstWindowStartMs(spec: SlidingSpec, timeMs: number): number {
  return paneStartMs(spec, timeMs) - spec.sizeMs + spec.slideMs;
}

/** Every window holding `timeMs`, earliest first: one tumbling window, or `sizeMs / slideMs` sliding ones. */
export function windowsFor(spec: TumblingSpec | SlidingSpec, timeMs: number): TimeWindow[] {
  if (spec.kind === 'tumbling') {
    const startMs = windowStartMs(spec, timeMs);
    return [{ startMs, endMs: startMs + spec.sizeMs }];
  }
  const windows: TimeWindow[] = [];
  const lastStartMs = paneStartMs(spec, timeMs);
  for (let startMs = firstWindowStartMs(spec, timeMs); startMs <= lastStartMs; startMs += spec.slideMs) {
    windows.push({ startMs, endMs: startMs + spec.sizeMs });
  }
  return windows;
}

/** The last time a window holds (Flink's `maxTimestamp`): `end − 1`. */
export function maxTimestamp(window: TimeWindow): number {
  return window.endMs - 1;
}

/**
 * The finality rule: a contribution to a window ending at `endMs` is final once the watermark reaches
 * its end, since every later accepted event has time >= watermark >= end. For a session `endMs` is the
 * session end; for a join window it is the window end + the bound (its close time).
 */
export function isFinal(endMs: number, watermarkMs: number): boolean {
  return endMs <= watermarkMs;
}

/** End of a session whose last event is at `lastMs`: each event spans `[t, t + gapMs)`. */
export function sessionEndMs(lastMs: number, gapMs: number): number {
  return lastMs + gapMs;
}
