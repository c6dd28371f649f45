/**
 * What a reader holds of the provisional topic (io/provisional-message.ts): the newest partial rows of
 * every open cell per source partition, merged across partitions (and so across instances) on the way
 * out exactly as final partial rows merge (engine/merge-rows.ts). A cell leaves once the job's
 * completeness watermark has passed its window: the complete row answers for it from then on.
 */
import { VIEW_NAMES } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { decodeProvisional, type ProvisionalMessage } from '../io/provisional-message.ts';
import { logicalRow, mergeRows } from '../engine/merge-rows.ts';
import type { AnyView } from '../engine/view-definition.ts';
import { viewDefinition } from '../views/index.ts';

export interface StartWindow {
  /** Window (session) starts in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
}

const KNOWN_VIEWS = new Set<string>(VIEW_NAMES);

/** Cells of one view: source partition (`topic:partition`) → cell → partial rows. */
type ViewCells = Map<string, Map<string, ViewRow[]>>;

/** The view's rows that changed in one message: the merged rows of its changed cells. */
export interface TableChange {
  view: string;
  cells: string[];
}

export class ProvisionalTable {
  private readonly byView = new Map<string, ViewCells>();
  private readonly asOfByJob = new Map<string, number>();

  /** The newest record timestamp of the last message applied (null when it had none). */
  lastNewestRecordMs: number | null = null;

  /** Applies one message as read from the topic; an Error says why it could not be read. */
  applyEncoded(bytes: Buffer): TableChange[] | Error {
    const message = decodeProvisional(bytes);
    if (message instanceof Error) return message;
    this.lastNewestRecordMs = typeof message.newest_record === 'number' ? message.newest_record : null;
    return this.apply(message);
  }

  /** Applies one message; returns the cells it changed, per view. Unknown views are skipped. */
  apply(message: ProvisionalMessage): TableChange[] {
    const source = `${message.topic}:${message.partition}`;
    const changes: TableChange[] = [];
    for (const [view, cells] of Object.entries(message.views)) {
      if (!KNOWN_VIEWS.has(view)) continue;
      let byPartition = this.byView.get(view);
      if (byPartition === undefined) this.byView.set(view, (byPartition = new Map()));
      let held = byPartition.get(source);
      if (held === undefined) byPartition.set(source, (held = new Map()));
      for (const [cell, rows] of Object.entries(cells)) {
        if (rows.length === 0) held.delete(cell);
        else held.set(cell, rows);
      }
      changes.push({ view, cells: Object.keys(cells) });
    }
    this.asOfByJob.set(message.job, Math.max(message.as_of, this.asOfByJob.get(message.job) ?? -Infinity));
    return changes;
  }

  /** When the newest message of the job was taken; null before the first. */
  asOfMs(job: string): number | null {
    return this.asOfByJob.get(job) ?? null;
  }

  /**
   * The merged rows (the view's columns) of windows starting in `range` that are not complete at
   * `completeMs`; with `cells`, only those cells' rows.
   */
  rows(view: string, range: StartWindow, completeMs: number, cells?: readonly string[]): ViewRow[] {
    const byPartition = this.byView.get(view);
    if (byPartition === undefined) return [];
    const definition = viewDefinition(view);
    const [startColumn, endColumn] = timeColumns(definition);
    const tailMs = definition.kind === 'join' ? definition.boundMs : 0;
    const partials: ViewRow[] = [];
    for (const held of byPartition.values()) {
      const wanted = cells ?? held.keys();
      for (const cell of wanted) {
        for (const row of held.get(cell) ?? []) {
          const startMs = Number(row[startColumn]);
          if (startMs < range.fromMs || startMs >= range.toMs) continue;
          if (Number(row[endColumn]) + tailMs <= completeMs) continue;
          partials.push(row);
        }
      }
    }
    return mergeRows(definition, partials).map((row) => logicalRow(definition, row));
  }

  /** Forgets the cells of windows complete at `completeMs` (their final rows answer now). */
  prune(view: string, completeMs: number): void {
    const byPartition = this.byView.get(view);
    if (byPartition === undefined) return;
    const definition = viewDefinition(view);
    const [, endColumn] = timeColumns(definition);
    const tailMs = definition.kind === 'join' ? definition.boundMs : 0;
    for (const held of byPartition.values()) {
      for (const [cell, rows] of held) {
        if (rows.every((row) => Number(row[endColumn]) + tailMs <= completeMs)) held.delete(cell);
      }
    }
  }

  /** The views with cells held. */
  views(): string[] {
    return [...this.byView.keys()];
  }

  /** Cells held over all views and partitions (a gauge). */
  get size(): number {
    let cells = 0;
    for (const byPartition of this.byView.values())
      for (const held of byPartition.values()) cells += held.size;
    return cells;
  }
}

function timeColumns(view: AnyView): [string, string] {
  return view.kind === 'session' ? ['session_start', 'session_end'] : ['window_start', 'window_end'];
}
