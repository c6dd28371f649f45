/**
 * Keyed state of a tumbling-window view on one partition: window start → key → aggregate state. A window
 * is final when the partition's watermark reaches its end; it is then emitted and dropped.
 */
import type { LmsEvent } from '../../events/types.ts';
import type { ViewEmitter } from './emitter.ts';
import type { WindowView } from './view-definition.ts';
import { alignedStartMs } from './windows.ts';

export type KeyedWindows = Map<number, Map<string, unknown>>;

export class TumblingStore {
  readonly windows: KeyedWindows = new Map();
  private readonly sizeMs: number;

  constructor(private readonly view: WindowView) {
    this.sizeMs = view.window.sizeMs;
  }

  add(event: LmsEvent): void {
    const startMs = alignedStartMs(event.event_time, this.sizeMs);
    let keys = this.windows.get(startMs);
    if (keys === undefined) this.windows.set(startMs, (keys = new Map()));
    const key = this.view.key(event as never);
    let state = keys.get(key);
    if (state === undefined) keys.set(key, (state = this.view.aggregate.init()));
    this.view.aggregate.add(state, event as never);
  }

  close(watermarkMs: number, emitter: ViewEmitter): void {
    for (const [startMs, keys] of this.windows) {
      const endMs = startMs + this.sizeMs;
      if (endMs > watermarkMs) continue;
      for (const [key, state] of keys) emitter.emit(startMs, endMs, key, state);
      this.windows.delete(startMs);
    }
  }
}
