/**
 * Sliding windows by slicing (anchors.md goal 6): one aggregate per (pane of `slideMs`, key), so an
 * event costs one state update however many windows hold it. When the watermark reaches the end of a
 * window `[s, s + sizeMs)`, its panes `s .. s + sizeMs − slideMs` are merged into the window's row; a
 * pane is dropped once the last window using it (the one starting at the pane) is final.
 */
import type { LmsEvent } from '../../events/types.ts';
import type { ViewEmitter } from './emitter.ts';
import type { KeyedWindows } from './tumbling-store.ts';
import type { WindowView } from './view-definition.ts';
import { alignedStartMs, type SlidingSpec } from './windows.ts';

export class SlidingStore {
  readonly panes: KeyedWindows = new Map();
  /** Every window ending at or before this has been emitted. */
  emittedThroughMs = -Infinity;
  private readonly spec: SlidingSpec;

  constructor(private readonly view: WindowView) {
    this.spec = view.window as SlidingSpec;
  }

  add(event: LmsEvent): void {
    const paneMs = alignedStartMs(event.event_time, this.spec.slideMs);
    let keys = this.panes.get(paneMs);
    if (keys === undefined) this.panes.set(paneMs, (keys = new Map()));
    const key = this.view.key(event as never);
    let state = keys.get(key);
    if (state === undefined) keys.set(key, (state = this.view.aggregate.init()));
    this.view.aggregate.add(state, event as never);
  }

  close(watermarkMs: number, emitter: ViewEmitter): void {
    if (watermarkMs <= this.emittedThroughMs) return;
    const { sizeMs, slideMs } = this.spec;
    if (this.panes.size > 0) {
      let firstPaneMs = Infinity;
      let lastPaneMs = -Infinity;
      for (const paneMs of this.panes.keys()) {
        if (paneMs < firstPaneMs) firstPaneMs = paneMs;
        if (paneMs > lastPaneMs) lastPaneMs = paneMs;
      }
      for (let startMs = firstPaneMs - sizeMs + slideMs; startMs <= lastPaneMs; startMs += slideMs) {
        const endMs = startMs + sizeMs;
        if (endMs > watermarkMs) break;
        if (endMs > this.emittedThroughMs) this.emitWindow(startMs, endMs, emitter);
      }
      for (const paneMs of this.panes.keys()) if (paneMs + sizeMs <= watermarkMs) this.panes.delete(paneMs);
    }
    this.emittedThroughMs = watermarkMs;
  }

  private emitWindow(startMs: number, endMs: number, emitter: ViewEmitter): void {
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
    for (const [key, state] of merged) emitter.emit(startMs, endMs, key, state);
  }
}
