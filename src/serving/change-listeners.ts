/**
 * The listeners of provisional changes (stream fan-out, alert rules), each for the views it wants.
 * Merging a view's changed cells into rows is most of what a change costs `serve`, so it happens only
 * when some listener wants that view, and once for all of them.
 */
import type { ProvisionalChange } from './provisional-rows.ts';

export type ChangeListener = (change: ProvisionalChange) => void;
/** Whether a listener wants changes of `view` now; absent: every view. */
export type WantsView = (view: string) => boolean;

export class ChangeListeners {
  private readonly listeners = new Map<ChangeListener, WantsView | undefined>();

  /** Returns the unsubscribe. */
  add(listener: ChangeListener, wants?: WantsView): () => void {
    this.listeners.set(listener, wants);
    return () => this.listeners.delete(listener);
  }

  /** Calls the listeners that want `view`; `changeOf` runs once if any does, never otherwise. */
  notify(view: string, changeOf: () => ProvisionalChange): void {
    let change: ProvisionalChange | undefined;
    for (const [listener, wants] of this.listeners) {
      if (wants !== undefined && !wants(view)) continue;
      change ??= changeOf();
      listener(change);
    }
  }
}
