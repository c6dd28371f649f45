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
  private readonly startColumn: string;
  private readonly endColumn: string;

  constructor(private readonly view: AnyView) {
    [this.startColumn, this.endColumn] =
      view.kind === 'session' ? ['session_start', 'session_end'] : ['window_start', 'window_end'];
  }

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
    const { aggregate } = this.view;
    for (const cell of this.cells.values()) {
      if (this.view.rows === undefined) rows.push(this.row(cell, aggregate.partial(cell.state)));
      else for (const partial of this.view.rows(cell.state)) rows.push(this.row(cell, partial));
    }
    this.cells.clear();
    return rows;
  }

  /** Time columns, key columns, then the stored and derived columns. */
  private row(cell: FinalCell, partial: ViewRow): ViewRow {
    const into: ViewRow = { [this.startColumn]: cell.startMs, [this.endColumn]: cell.endMs };
    const { keyColumns } = this.view;
    if (keyColumns.length === 1) into[keyColumns[0]!] = cell.key;
    else if (keyColumns.length > 1) {
      const keyParts = cell.key.split(KEY_SEPARATOR);
      for (let index = 0; index < keyColumns.length; index++) into[keyColumns[index]!] = keyParts[index]!;
    }
    return Object.assign(into, partial, this.view.derive(partial));
  }
}
