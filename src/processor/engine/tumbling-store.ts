/**
 * Keyed state of a tumbling-window view on one partition: window start → key → aggregate state. A window
 * is final when the partition's watermark reaches its end; it is then emitted and dropped.
 */
import type { LmsEvent } from '../../events/types.ts';
import type { TumblingDelta } from './view-delta.ts';
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
import { isFinal, windowStartMs, type TumblingSpec } from './windows.ts';

export interface PlainTumblingState {
  kind: 'tumbling';
  windows: PlainKeyedWindows;
}

export class TumblingStore implements WindowStore<PlainTumblingState> {
  readonly kind = 'tumbling';
  /**
   * The cells changed since the last peek, window start → keys; undefined while nothing is tracked
   * (before the first peek, and after `forgetChanges`). A round then costs what changed, not what is
   * open: a five-minute window keyed by user holds tens of thousands of cells, a second changes hundreds.
   */
  private changed: Map<number, Set<string>> | undefined;
  /** The cells changed since the last snapshot, once `trackDelta` asked. */
  private dirty: DirtyCells | undefined;

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
    const created = state === undefined;
    if (created) keys.set(key, (state = this.view.aggregate.init()));
    if (this.dirty !== undefined)
      noteDirty(this.dirty, startMs, key, created ? null : state, this.view.aggregate.growingSlots);
    this.view.aggregate.add(state, event);
    if (this.changed !== undefined) changedKeys(this.changed, startMs).add(key);
  }

  close(watermarkMs: number, sink: FinalSink): void {
    for (const [startMs, keys] of this.windows) {
      const endMs = startMs + this.spec.sizeMs;
      if (!isFinal(endMs, watermarkMs)) continue;
      for (const [key, state] of keys) sink.emit(startMs, endMs, key, state);
      this.windows.delete(startMs);
      this.changed?.delete(startMs);
      this.dirty?.delete(startMs);
    }
  }

  peekChanged(sink: OpenSink): void {
    const changed = this.changed;
    this.changed = new Map();
    if (changed === undefined) {
      for (const [startMs, keys] of this.windows) this.putCells(sink, startMs, keys.keys(), keys);
      return;
    }
    for (const [startMs, keys] of changed) this.putCells(sink, startMs, keys, this.windows.get(startMs)!);
  }

  forgetChanges(): void {
    this.changed = undefined;
  }

  private putCells(
    sink: OpenSink,
    startMs: number,
    keys: Iterable<string>,
    states: Map<string, unknown>,
  ): void {
    const endMs = startMs + this.spec.sizeMs;
    for (const key of keys) sink.open(`${startMs}|${key}`, startMs, endMs, key, states.get(key));
  }

  trackDelta(): void {
    this.dirty = new Map();
  }

  asDelta(): TumblingDelta {
    const dirty = this.dirty!;
    this.dirty = new Map();
    return { kind: 'tumbling-delta', open: [...this.windows.keys()], ...dirtyCells(dirty, this.windows) };
  }

  asPlain(): PlainTumblingState {
    return { kind: 'tumbling', windows: keyedWindowsAsPlain(this.windows) };
  }

  counts(): StoreCounts {
    return countKeyedWindows(this.windows);
  }
}
