/**
 * The partial rows not yet published as complete rows, from every commit of the job (this instance's and
 * the other instances'), grouped per view and window. A window's rows are complete once W reaches its
 * completion time; they are merged then (engine/merge-rows.ts) into the logical rows the views tree holds.
 * Each window remembers the oldest commit of each commit group's log that contributed to it, so a
 * completion can record from which commit on partial files may still matter (`pendingFromCommit`).
 */
import { viewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { completeAtMs } from './complete-at.ts';
import { logicalRow, mergeRows } from './merge-rows.ts';
import type { AnyView } from './view-definition.ts';

interface PendingWindow {
  completeAtMs: number;
  /** Per commit group: the oldest commit contributing (Infinity: none). */
  firstCommits: number[];
  rows: ViewRow[];
}

/** What waits for publishing at some W: how many partial rows, and whether any is not a session. */
export interface ReadyRows {
  rows: number;
  windowed: boolean;
  /** Every pending row is complete: nothing later can join the batch. */
  all: boolean;
}

export class CompletionPool {
  private readonly byView = new Map<string, Map<string, PendingWindow>>();
  private readonly timeColumns = new Map<string, [string, string]>();

  constructor(
    private readonly views: readonly AnyView[],
    private readonly groups = 1,
  ) {
    for (const view of views) {
      this.byView.set(view.name, new Map());
      const [start, end] = viewSpec(view.name).columns;
      this.timeColumns.set(view.name, [start!.name, end!.name]);
    }
  }

  /**
   * Adds the partial rows of one commit of `group`'s log; rows complete at or before `completedThroughMs`
   * are already published.
   */
  absorb(
    group: number,
    commit: number,
    rowsByView: ReadonlyMap<string, readonly ViewRow[]>,
    completedThroughMs: number,
  ): void {
    for (const view of this.views) {
      const windows = this.byView.get(view.name)!;
      const [start, end] = this.timeColumns.get(view.name)!;
      for (const row of rowsByView.get(view.name) ?? []) {
        const at = completeAtMs(view, row);
        if (at <= completedThroughMs) continue;
        const id = `${Number(row[start])}|${Number(row[end])}`;
        const window = windows.get(id);
        if (window === undefined) {
          const firstCommits = new Array<number>(this.groups).fill(Infinity);
          firstCommits[group] = commit;
          windows.set(id, { completeAtMs: at, firstCommits, rows: [row] });
        } else {
          window.rows.push(row);
          window.firstCommits[group] = Math.min(window.firstCommits[group]!, commit);
        }
      }
    }
  }

  ready(watermarkMs: number): ReadyRows {
    const ready: ReadyRows = { rows: 0, windowed: false, all: true };
    for (const view of this.views) {
      for (const window of this.byView.get(view.name)!.values()) {
        if (window.completeAtMs > watermarkMs) {
          ready.all = false;
          continue;
        }
        ready.rows += window.rows.length;
        if (view.kind !== 'session') ready.windowed = true;
      }
    }
    return ready;
  }

  /** The logical rows (catalog columns) of every window complete at `watermarkMs`, per view; not removed. */
  complete(watermarkMs: number): Map<string, ViewRow[]> {
    const rowsByView = new Map<string, ViewRow[]>();
    for (const view of this.views) {
      const partial: ViewRow[] = [];
      for (const window of this.byView.get(view.name)!.values()) {
        if (window.completeAtMs <= watermarkMs) partial.push(...window.rows);
      }
      if (partial.length > 0)
        rowsByView.set(
          view.name,
          mergeRows(view, partial).map((row) => logicalRow(view, row)),
        );
    }
    return rowsByView;
  }

  /** Forgets the windows complete at `watermarkMs` (published by this writer or another). */
  drop(watermarkMs: number): void {
    for (const windows of this.byView.values()) {
      for (const [id, window] of windows) if (window.completeAtMs <= watermarkMs) windows.delete(id);
    }
  }

  /**
   * Per group, the oldest commit contributing to a window not complete at `watermarkMs`; that group's
   * `nextCommits` entry when none.
   */
  pendingFrom(watermarkMs: number, nextCommits: readonly number[]): number[] {
    const oldest = [...nextCommits];
    for (const windows of this.byView.values()) {
      for (const window of windows.values()) {
        if (window.completeAtMs <= watermarkMs) continue;
        window.firstCommits.forEach((commit, group) => (oldest[group] = Math.min(oldest[group]!, commit)));
      }
    }
    return oldest;
  }

  /** Partial rows of windows not complete at `watermarkMs`, per view (`query --include-incomplete`). */
  incomplete(watermarkMs: number): Map<string, ViewRow[]> {
    const rowsByView = new Map<string, ViewRow[]>();
    for (const view of this.views) {
      const rows: ViewRow[] = [];
      for (const window of this.byView.get(view.name)!.values())
        if (window.completeAtMs > watermarkMs) rows.push(...window.rows);
      rowsByView.set(view.name, rows);
    }
    return rowsByView;
  }
}
