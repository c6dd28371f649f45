/**
 * A view's window as the API describes it, and how long after a window starts its row can still be
 * missing from the complete rows: the window size plus the join bound (docs/contract/semantics.md
 * "Finality"). Sessions have no such bound (a session runs on while its user is active).
 */
import { viewDefinition } from '../processor/views/index.ts';

export interface WindowDescription {
  kind: 'tumbling' | 'sliding' | 'session';
  /** Window length; null for sessions (they end a gap after their last event). */
  size_ms: number | null;
  /** Sliding windows only: how far apart window starts are. */
  slide_ms?: number;
  /** Join views only: how long after its window a matching event still counts. */
  join_bound_ms?: number;
}

export function windowOf(view: string): WindowDescription {
  const definition = viewDefinition(view);
  if (definition.kind === 'session') return { kind: 'session', size_ms: null };
  const { window } = definition;
  const described: WindowDescription = { kind: window.kind, size_ms: window.sizeMs };
  if (window.kind === 'sliding') described.slide_ms = window.slideMs;
  if (definition.kind === 'join') described.join_bound_ms = definition.boundMs;
  return described;
}

/** Rows of windows starting before `complete_through − this` are all complete; Infinity for sessions. */
export function completionTailMs(view: string): number {
  const window = windowOf(view);
  return window.size_ms === null ? Infinity : window.size_ms + (window.join_bound_ms ?? 0);
}
