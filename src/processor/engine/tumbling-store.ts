/**
 * Keyed state of a tumbling-window view on one partition: window start → key → aggregate state. A window
 * is final when the partition's watermark reaches its end; it is then emitted and dropped.
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
import { isFinal, windowStartMs, type TumblingSpec } from './windows.ts';

export interface PlainTumblingState {
  kind: 'tumbling';
  windows: PlainKeyedWindows;
}

export class TumblingStore implements WindowStore<PlainTumblingState> {
  readonly kind = 'tumbling';
  /**
   * Starts of the windows changed since the last peek; undefined before the first (nothing tracked).
   * Windows, not cells: a few numbers per event is what the hot path can afford; a peek puts every
   * cell of a changed window (the publisher budgets its peeks).
   */
  private changed: Set<number> | undefined;

  constructor(
    private readonly view: WindowView,
    private readonly spec: TumblingSpec,
    private readonly windows: KeyedWindows = new Map(),
  ) {}

  /** A store owning the state of `plain`. */
  static fromPlain(view: WindowView, spec: TumblingSpec, plain: PlainTumblingState): TumblingStore {
    return new TumblingStore(view, spec, keyedWindowsFromPlain(plain.windows));
  }

  add(event: LmsEvent): void {
    // Written out in each store, not shared: call sites that see one window kind's views stay fast.
    const startMs = windowStartMs(this.spec, event.event_time);
    let keys = this.windows.get(startMs);
    if (keys === undefined) this.windows.set(startMs, (keys = new Map()));
    const key = this.view.key(event);
    let state = keys.get(key);
    if (state === undefined) keys.set(key, (state = this.view.aggregate.init()));
    this.view.aggregate.add(state, event);
    this.changed?.add(startMs);
  }

  close(watermarkMs: number, sink: FinalSink): void {
    for (const [startMs, keys] of this.windows) {
      const endMs = startMs + this.spec.sizeMs;
      if (!isFinal(endMs, watermarkMs)) continue;
      for (const [key, state] of keys) sink.emit(startMs, endMs, key, state);
      this.windows.delete(startMs);
    }
  }

  peekChanged(sink: OpenSink): void {
    const changed = this.changed;
    this.changed = new Set();
    if (changed?.size === 0) return;
    for (const [startMs, keys] of this.windows) {
      if (changed !== undefined && !changed.has(startMs)) continue;
      const endMs = startMs + this.spec.sizeMs;
      for (const [key, state] of keys) sink.open(`${startMs}|${key}`, startMs, endMs, key, state);
    }
  }

  asPlain(): PlainTumblingState {
    return { kind: 'tumbling', windows: keyedWindowsAsPlain(this.windows) };
  }

  counts(): StoreCounts {
    return countKeyedWindows(this.windows);
  }
}
