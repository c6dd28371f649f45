/**
 * Sliding windows by slicing, as stream processors with pane-based windows do: one aggregate per (pane
 * of `slideMs`, key), so an event costs one state update however many windows hold it, not one per window. When the watermark reaches the end of a
 * window `[s, s + sizeMs)`, its panes `s .. s + sizeMs − slideMs` are merged into the window's row; a
 * pane is dropped once the last window using it (the one starting at the pane) is final.
 */
import type { LmsEvent } from '../../events/types.ts';
import {
  countKeyedWindows,
  keyedWindowsAsPlain,
  keyedWindowsFromPlain,
  type KeyedWindows,
  type PlainKeyedWindows,
} from './keyed-windows.ts';
import type { WindowView } from './view-definition.ts';
import type { FinalSink, OpenSink, StoreCounts, WindowStore } from './window-store.ts';
import { firstWindowStartMs, isFinal, paneStartMs, type SlidingSpec } from './windows.ts';

export interface PlainSlidingState {
  kind: 'sliding';
  /** Every window ending at or before this has been emitted. */
  emittedThroughMs: number;
  panes: PlainKeyedWindows;
}

export class SlidingStore implements WindowStore<PlainSlidingState> {
  readonly kind = 'sliding';
  /** Starts of the panes changed since the last peek; undefined before the first (nothing tracked). */
  private changed: Set<number> | undefined;

  constructor(
    private readonly view: WindowView,
    private readonly spec: SlidingSpec,
    private readonly panes: KeyedWindows = new Map(),
    /** Every window ending at or before this has been emitted. */
    private emittedThroughMs = -Infinity,
  ) {}

  /** A store owning the state of `plain`. */
  static fromPlain(view: WindowView, spec: SlidingSpec, plain: PlainSlidingState): SlidingStore {
    return new SlidingStore(view, spec, keyedWindowsFromPlain(plain.panes), plain.emittedThroughMs);
  }

  add(event: LmsEvent): void {
    // Written out in each store, not shared: call sites that see one window kind's views stay fast.
    const startMs = paneStartMs(this.spec, event.event_time);
    let keys = this.panes.get(startMs);
    if (keys === undefined) this.panes.set(startMs, (keys = new Map()));
    const key = this.view.key(event);
    let state = keys.get(key);
    if (state === undefined) keys.set(key, (state = this.view.aggregate.init()));
    this.view.aggregate.add(state, event);
    this.changed?.add(startMs);
  }

  close(watermarkMs: number, sink: FinalSink): void {
    if (watermarkMs <= this.emittedThroughMs) return; // every window final by now was emitted
    const { sizeMs, slideMs } = this.spec;
    if (this.panes.size > 0) {
      let firstPaneMs = Infinity;
      let lastPaneMs = -Infinity;
      for (const paneMs of this.panes.keys()) {
        if (paneMs < firstPaneMs) firstPaneMs = paneMs;
        if (paneMs > lastPaneMs) lastPaneMs = paneMs;
      }
      // Every window holding a pane, earliest first (windows.ts `windowsFor`, over the span of panes).
      for (
        let startMs = firstWindowStartMs(this.spec, firstPaneMs);
        startMs <= lastPaneMs;
        startMs += slideMs
      ) {
        const endMs = startMs + sizeMs;
        if (!isFinal(endMs, watermarkMs)) break;
        if (!isFinal(endMs, this.emittedThroughMs)) this.emitWindow(startMs, endMs, sink); // not yet emitted
      }
      // The last window holding a pane starts at the pane.
      for (const paneMs of this.panes.keys())
        if (isFinal(paneMs + sizeMs, watermarkMs)) this.panes.delete(paneMs);
    }
    this.emittedThroughMs = watermarkMs;
  }

  /** Every window not emitted yet that holds a changed pane, all its keys (merged from its panes). */
  peekChanged(sink: OpenSink): void {
    const changed = this.changed;
    this.changed = new Set();
    const windows = new Set<number>();
    for (const paneMs of changed ?? this.panes.keys()) {
      for (
        let startMs = firstWindowStartMs(this.spec, paneMs);
        startMs <= paneMs;
        startMs += this.spec.slideMs
      )
        if (!isFinal(startMs + this.spec.sizeMs, this.emittedThroughMs)) windows.add(startMs); // else emitted
    }
    for (const startMs of windows) {
      const endMs = startMs + this.spec.sizeMs;
      for (const [key, state] of this.mergePanes(startMs, endMs))
        sink.open(`${startMs}|${key}`, startMs, endMs, key, state);
    }
  }

  private emitWindow(startMs: number, endMs: number, sink: FinalSink): void {
    for (const [key, state] of this.mergePanes(startMs, endMs)) sink.emit(startMs, endMs, key, state);
  }

  /** The window's state per key, merged from its panes. */
  private mergePanes(startMs: number, endMs: number): Map<string, unknown> {
    const merged = new Map<string, unknown>();
    for (let paneMs = startMs; paneMs < endMs; paneMs += this.spec.slideMs) {
      const keys = this.panes.get(paneMs);
      if (keys === undefined) continue;
      for (const [key, paneState] of keys) {
        let state = merged.get(key);
        if (state === undefined) merged.set(key, (state = this.view.aggregate.init()));
        this.view.aggregate.merge(state, paneState);
      }
    }
    return merged;
  }

  asPlain(): PlainSlidingState {
    return {
      kind: 'sliding',
      emittedThroughMs: this.emittedThroughMs,
      panes: keyedWindowsAsPlain(this.panes),
    };
  }

  counts(): StoreCounts {
    return countKeyedWindows(this.panes);
  }
}
