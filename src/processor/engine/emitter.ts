/**
 * Collects the final contributions of one view (from every partition an instance owns) until they are
 * drained, combining contributions to the same (window, key) by merging aggregate states, then turns
 * them into partial rows: time columns, key columns, mergeable columns (`_` ones too), finished columns.
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
    else this.view.aggregate.merge(cell.state as never, state as never);
  }

  get pending(): number {
    return this.cells.size;
  }

  drain(): ViewRow[] {
    const rows: ViewRow[] = [];
    for (const cell of this.cells.values()) {
      const head: ViewRow = { [this.startColumn]: cell.startMs, [this.endColumn]: cell.endMs };
      const keyParts = cell.key.split(KEY_SEPARATOR);
      this.view.keyColumns.forEach((column, index) => (head[column] = keyParts[index]!));
      const partials =
        this.view.rows === undefined
          ? [this.view.aggregate.partial(cell.state as never)]
          : this.view.rows(cell.state as never);
      for (const partial of partials) rows.push({ ...head, ...partial, ...this.view.finish(partial) });
    }
    this.cells.clear();
    return rows;
  }
}
