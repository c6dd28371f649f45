/**
 * Collects the final contributions of one view (from every partition an instance owns) until they are
 * drained, combining contributions to the same (window, key) by merging aggregate states, then turns
 * them into partial rows: time columns, key columns, stored columns (`_` ones too), derived columns.
 */
import type { ViewRow } from '../../events/view-dump.ts';
import { KEY_SEPARATOR, type AnyView } from './view-definition.ts';

interface FinalCell {
  startMs: number;
  endMs: number;
  key: string;
  state: unknown;
}

export class ViewEmitter {
  private readonly cells = new Map<string, FinalCell>();

  constructor(private readonly view: AnyView) {}

  /** A final contribution; `state` now belongs to the emitter. */
  emit(startMs: number, endMs: number, key: string, state: unknown): void {
    const id = `${startMs}|${endMs}|${key}`;
    const cell = this.cells.get(id);
    if (cell === undefined) this.cells.set(id, { startMs, endMs, key, state });
    else this.view.aggregate.merge(cell.state, state);
  }

  get pending(): number {
    return this.cells.size;
  }

  drain(): ViewRow[] {
    const rows: ViewRow[] = [];
    for (const { startMs, endMs, key, state } of this.cells.values())
      rows.push(...cellRows(this.view, startMs, endMs, key, state));
    this.cells.clear();
    return rows;
  }
}

/** The partial rows of one (window, key) state: one, or a window's ranked rows (top-N). */
export function cellRows(
  view: AnyView,
  startMs: number,
  endMs: number,
  key: string,
  state: unknown,
): ViewRow[] {
  if (view.rows === undefined) return [row(view, startMs, endMs, key, view.aggregate.partial(state))];
  return view.rows(state).map((partial) => row(view, startMs, endMs, key, partial));
}

/** Time columns, key columns, then the stored and derived columns. */
function row(view: AnyView, startMs: number, endMs: number, key: string, partial: ViewRow): ViewRow {
  const into: ViewRow =
    view.kind === 'session'
      ? { session_start: startMs, session_end: endMs }
      : { window_start: startMs, window_end: endMs };
  const { keyColumns } = view;
  if (keyColumns.length === 1) into[keyColumns[0]!] = key;
  else if (keyColumns.length > 1) {
    const keyParts = key.split(KEY_SEPARATOR);
    for (let index = 0; index < keyColumns.length; index++) into[keyColumns[index]!] = keyParts[index]!;
  }
  return Object.assign(into, partial, view.derive(partial));
}
