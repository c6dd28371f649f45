/**
 * Sliding windows by slicing, as stream processors with pane-based windows do: one aggregate per (pane
 * of `slideMs`, key), so an event costs one state update however many windows hold it, not one per window. When the watermark reaches the end of a
 * window `[s, s + sizeMs)`, its panes `s .. s + sizeMs − slideMs` are merged into the window's row; a
 * pane is dropped once the last window using it (the one starting at the pane) is final.
 *
 * Provisional values (peekChanged) are windows, not panes: merging a window's panes again each round cost
 * more than all processing, as a five-minute window of distinct users holds every user of five panes. So
 * once a peek asks, each open window keeps its own merged state, built from its panes once and then fed
 * every event of its panes, and a peek reads the changed cells of those. Rows that become final are still
 * merged from the panes, whether provisional values are on or off.
 */
import type { LmsEvent } from '../../events/types.ts';
import type { SlidingDelta } from './view-delta.ts';
import {
  countKeyedWindows,
  dirtyCells,
  noteDirty,
  type DirtyCells,
  keyedWindowsAsPlain,
  keyedWindowsFromPlain,
  type KeyedWindows,
  type PlainKeyedWindows,
} from './keyed-windows.ts';
import type { WindowView } from './view-definition.ts';
import {
  changedKeys,
  type FinalSink,
  type OpenSink,
  type StoreCounts,
  type WindowStore,
} from './window-store.ts';
import { firstWindowStartMs, isFinal, paneStartMs, type SlidingSpec } from './windows.ts';

export interface PlainSlidingState {
  kind: 'sliding';
  /** Every window ending at or before this has been emitted. */
  emittedThroughMs: number;
  panes: PlainKeyedWindows;
}

export class SlidingStore implements WindowStore<PlainSlidingState> {
  readonly kind = 'sliding';
  /**
   * While provisional values are tracked (from the first peek to `forgetChanges`): each open window's
   * state per key, window start → key → state, and the cells changed since the last peek.
   */
  private live: KeyedWindows | undefined;
  private changed: Map<number, Set<string>> | undefined;
  /** The pane cells changed since the last snapshot, once `trackDelta` asked. */
  private dirty: DirtyCells | undefined;

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
    const created = state === undefined;
    if (created) keys.set(key, (state = this.view.aggregate.init()));
    if (this.dirty !== undefined)
      noteDirty(this.dirty, startMs, key, created ? null : state, this.view.aggregate.growingSlots);
    this.view.aggregate.add(state, event);
    if (this.live !== undefined) this.addLive(this.live, this.changed!, startMs, key, event);
  }

  /** Feeds an event of pane `paneMs` to every open window holding the pane. */
  private addLive(
    live: KeyedWindows,
    changed: Map<number, Set<string>>,
    paneMs: number,
    key: string,
    event: LmsEvent,
  ): void {
    for (
      let startMs = firstWindowStartMs(this.spec, paneMs);
      startMs <= paneMs;
      startMs += this.spec.slideMs
    ) {
      if (isFinal(startMs + this.spec.sizeMs, this.emittedThroughMs)) continue; // emitted already
      let keys = live.get(startMs);
      if (keys === undefined) live.set(startMs, (keys = new Map()));
      let state = keys.get(key);
      if (state === undefined) keys.set(key, (state = this.view.aggregate.init()));
      this.view.aggregate.add(state, event);
      changedKeys(changed, startMs).add(key);
    }
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
        if (isFinal(paneMs + sizeMs, watermarkMs)) {
          this.panes.delete(paneMs);
          this.dirty?.delete(paneMs);
        }
    }
    if (this.live !== undefined) {
      for (const startMs of this.live.keys()) {
        if (!isFinal(startMs + sizeMs, watermarkMs)) continue;
        this.live.delete(startMs);
        this.changed!.delete(startMs);
      }
    }
    this.emittedThroughMs = watermarkMs;
  }

  /** The cells of open windows changed since the last peek; the first peek builds the windows from their panes. */
  peekChanged(sink: OpenSink): void {
    if (this.live === undefined) this.startLive();
    const changed = this.changed!;
    this.changed = new Map();
    for (const [startMs, keys] of changed) {
      const endMs = startMs + this.spec.sizeMs;
      const states = this.live!.get(startMs)!;
      for (const key of keys) sink.open(`${startMs}|${key}`, startMs, endMs, key, states.get(key));
    }
  }

  forgetChanges(): void {
    this.live = undefined;
    this.changed = undefined;
  }

  /** Every open window holding a pane, merged from its panes, all its cells changed. */
  private startLive(): void {
    this.live = new Map();
    this.changed = new Map();
    const { sizeMs, slideMs } = this.spec;
    const starts = new Set<number>();
    for (const paneMs of this.panes.keys())
      for (let startMs = firstWindowStartMs(this.spec, paneMs); startMs <= paneMs; startMs += slideMs)
        if (!isFinal(startMs + sizeMs, this.emittedThroughMs)) starts.add(startMs);
    for (const startMs of starts) {
      const merged = this.mergePanes(startMs, startMs + sizeMs);
      this.live.set(startMs, merged);
      this.changed.set(startMs, new Set(merged.keys()));
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

  trackDelta(): void {
    this.dirty = new Map();
  }

  asDelta(): SlidingDelta {
    const dirty = this.dirty!;
    this.dirty = new Map();
    return {
      kind: 'sliding-delta',
      emittedThroughMs: this.emittedThroughMs,
      open: [...this.panes.keys()],
      ...dirtyCells(dirty, this.panes),
    };
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
