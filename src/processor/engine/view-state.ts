/**
 * The state of one view on one partition, whichever its window kind: which store a view needs, a new
 * one or one restored from its plain form, and the deep plain copy for snapshots. Sets and Maps in the
 * plain form stay Sets and Maps (encoded by codec/plain-codec.ts).
 */
import { JoinBuffer, type PlainJoinState } from './join-buffer.ts';
import { SessionStore, type PlainSessionState } from './session-store.ts';
import { SlidingStore, type PlainSlidingState } from './sliding-store.ts';
import { TumblingStore, type PlainTumblingState } from './tumbling-store.ts';
import type { AnyView } from './view-definition.ts';
import type { WindowStore } from './window-store.ts';

export type PlainViewState = PlainTumblingState | PlainSlidingState | PlainSessionState | PlainJoinState;

/** The state of one view on one partition. */
export type ViewState = WindowStore<PlainViewState>;

/** An empty store of the kind `view` needs; with `plain`, the store owning that state instead. */
export function createViewState(view: AnyView, sessionGapMs: number, plain?: PlainViewState): ViewState {
  const wrongKind = (needed: PlainViewState['kind']): never => {
    throw new Error(`${view.name}: snapshot holds ${plain!.kind} state, the view needs ${needed} state`);
  };
  switch (view.kind) {
    case 'join':
      if (plain === undefined) return new JoinBuffer(view);
      return plain.kind === 'join' ? JoinBuffer.fromPlain(view, plain) : wrongKind('join');
    case 'session':
      if (plain === undefined) return new SessionStore(view, sessionGapMs);
      return plain.kind === 'session'
        ? SessionStore.fromPlain(view, sessionGapMs, plain)
        : wrongKind('session');
    case 'window': {
      const spec = view.window;
      if (spec.kind === 'tumbling') {
        if (plain === undefined) return new TumblingStore(view, spec);
        return plain.kind === 'tumbling' ? TumblingStore.fromPlain(view, spec, plain) : wrongKind('tumbling');
      }
      if (plain === undefined) return new SlidingStore(view, spec);
      return plain.kind === 'sliding' ? SlidingStore.fromPlain(view, spec, plain) : wrongKind('sliding');
    }
  }
}

/** A deep copy of the state as plain data (nothing shared with the live state). */
export function viewStateToPlain(state: ViewState): PlainViewState {
  return structuredClone(state.asPlain());
}
