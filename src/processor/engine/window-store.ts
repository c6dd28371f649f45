/**
 * What every kind of window state (one file each: tumbling-store.ts, sliding-store.ts, session-store.ts,
 * join-buffer.ts) offers the engine, for one view on one partition: take an event, emit and drop what
 * the watermark made final, give its state as plain data for snapshots, count itself for metrics. Each
 * kind restores from its plain form with a static `fromPlain`; view-state.ts picks the kind for a view.
 */
import type { LmsEvent } from '../../events/types.ts';
import type { PlainViewDelta } from './view-delta.ts';

/** Where a store puts final contributions (the view's ViewEmitter); `state` then belongs to the sink. */
export interface FinalSink {
  emit(startMs: number, endMs: number, key: string, state: unknown): void;
}

/** Where a store puts the current value of its open cells (provisional rows, docs/serving.md). */
export interface OpenSink {
  /** The current value of one open cell; `state` is read at once, never kept. */
  open(cell: string, startMs: number, endMs: number, key: string, state: unknown): void;
  /** A cell put before that no longer exists (a session that merged into another or moved its start). */
  gone(cell: string): void;
}

export interface StoreCounts {
  /** Open windows, panes, sessions or join windows. */
  windows: number;
  /** Open (window, key) cells, sessions, or buffered join events. */
  entries: number;
}

export interface WindowStore<Plain extends { kind: string } = { kind: string }> {
  readonly kind: Plain['kind'];
  /** Applies an accepted event (its time is >= the partition watermark). */
  add(event: LmsEvent): void;
  /** Emits every contribution final at `watermarkMs` (see windows.ts `isFinal`) and drops its state. */
  close(watermarkMs: number, sink: FinalSink): void;
  /**
   * The state as plain data (numbers, strings, arrays, objects, Sets, Maps) sharing the live aggregates:
   * valid until the next `add` or `close`. `structuredClone` it for a copy (view-state.ts `storeToPlain`).
   */
  asPlain(): Plain;
  counts(): StoreCounts;
  /**
   * Puts every open cell that changed since the last call into `sink` (the first call: every open cell)
   * and forgets the changes. A store remembers changes only once this has been called: engines that
   * never publish provisional rows pay nothing.
   */
  peekChanged(sink: OpenSink): void;
  /** Stops remembering changes (a job catching up): the next `peekChanged` puts every open cell again. */
  forgetChanges(): void;
  /** From now on notes what changes for `asDelta` (the state now is in a snapshot, or restored from one). */
  trackDelta(): void;
  /**
   * What changed since `trackDelta` or the previous `asDelta` (view-delta.ts), sharing the live state:
   * encode it at once. Only after `trackDelta`.
   */
  asDelta(): PlainViewDelta;
}

/** The keys changed in window `startMs`, in a window start → keys map (added on first use). */
export function changedKeys(changed: Map<number, Set<string>>, startMs: number): Set<string> {
  let keys = changed.get(startMs);
  if (keys === undefined) changed.set(startMs, (keys = new Set()));
  return keys;
}
