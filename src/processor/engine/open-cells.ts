/**
 * The provisional side of a job engine (docs/serving.md "Provisional rows"): the open (window, key)
 * cells of each partition that changed since the last drain, as partial rows, so that a reader can
 * keep the newest value of every cell per partition and merge partitions as it merges final rows.
 * Cells are named per store kind (`start|key`, `key|first` for sessions); an empty row list says the
 * cell is gone (a session merged into another or moved its start).
 */
import type { Topic } from '../../events/topics.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { cellRows } from './emitter.ts';
import type { PartitionState } from './partition-table.ts';
import type { AnyView } from './view-definition.ts';
import type { FinalSink, OpenSink } from './window-store.ts';

export interface PartitionChanges {
  topic: Topic;
  partition: number;
  /** wm(p) when the changes were taken. */
  watermarkMs: number;
  /** The newest record timestamp the partition's values include. */
  newestRecordMs: number;
  /** View → cell → its partial rows ([]: gone). */
  views: Map<string, Map<string, ViewRow[]>>;
}

class CellSink implements OpenSink {
  constructor(
    private readonly view: AnyView,
    readonly cells: Map<string, ViewRow[]>,
  ) {}

  open(cell: string, startMs: number, endMs: number, key: string, state: unknown): void {
    this.cells.set(cell, cellRows(this.view, startMs, endMs, key, state));
  }

  gone(cell: string): void {
    this.cells.set(cell, []);
  }
}

/** Changes taken but not drained yet, per partition; a later value of a cell replaces an earlier one. */
export class OpenCells {
  private readonly held = new Map<string, PartitionChanges>();

  constructor(private readonly views: readonly AnyView[]) {}

  /** Takes the partition's changed cells (all its open cells on the first call for its stores). */
  take(partition: PartitionState): void {
    const changes = this.changesOf(partition);
    partition.stores.forEach((store, index) =>
      store.peekChanged(new CellSink(this.views[index]!, this.cellsOf(changes, index))),
    );
  }

  /**
   * A sink for the partition's close of view `index`: each final contribution is also kept as the cell's
   * last value (taken before the emitter merges it with other partitions'), then passed on to `final`.
   */
  closing(partition: PartitionState, index: number, final: FinalSink): FinalSink {
    const view = this.views[index]!;
    const cells = this.cellsOf(this.changesOf(partition), index);
    const session = view.kind === 'session';
    return {
      emit(startMs, endMs, key, state) {
        cells.set(
          session ? `${key}|${startMs}` : `${startMs}|${key}`,
          cellRows(view, startMs, endMs, key, state),
        );
        final.emit(startMs, endMs, key, state);
      },
    };
  }

  private changesOf(partition: PartitionState): PartitionChanges {
    const id = `${partition.topic}:${partition.partition}`;
    let changes = this.held.get(id);
    if (changes === undefined) {
      const { topic, partition: number } = partition;
      changes = {
        topic,
        partition: number,
        watermarkMs: -Infinity,
        newestRecordMs: -Infinity,
        views: new Map(),
      };
      this.held.set(id, changes);
    }
    changes.watermarkMs = partition.clock.watermarkMs;
    changes.newestRecordMs = partition.clock.newestRecordMs;
    return changes;
  }

  private cellsOf(changes: PartitionChanges, index: number): Map<string, ViewRow[]> {
    const name = this.views[index]!.name;
    let cells = changes.views.get(name);
    if (cells === undefined) changes.views.set(name, (cells = new Map()));
    return cells;
  }

  drain(): PartitionChanges[] {
    const drained: PartitionChanges[] = [];
    for (const changes of this.held.values()) {
      for (const [view, cells] of changes.views) if (cells.size === 0) changes.views.delete(view);
      if (changes.views.size > 0) drained.push(changes);
    }
    this.held.clear();
    return drained;
  }
}
