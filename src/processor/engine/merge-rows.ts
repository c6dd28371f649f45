/**
 * Merge of partial rows into logical rows (docs/contract/semantics.md "Partial rows"): rows of the same (window, key)
 * combine column by column as the view's `mergeKinds` say, then the derived columns are recomputed from
 * the merged ones. The result is again a valid partial row (`_` columns kept), so merging is associative.
 */
import { viewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { mergeColumn } from './aggregate.ts';
import type { AnyView } from './view-definition.ts';

function groupBy(rows: readonly ViewRow[], columns: readonly string[]): Map<string, ViewRow[]> {
  const groups = new Map<string, ViewRow[]>();
  for (const row of rows) {
    const id = JSON.stringify(columns.map((column) => String(row[column])));
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [row]);
    else group.push(row);
  }
  return groups;
}

function mergeGroup(view: AnyView, group: readonly ViewRow[]): ViewRow {
  const merged: ViewRow = { ...group[0]! };
  for (let i = 1; i < group.length; i++) {
    for (const [column, kind] of Object.entries(view.mergeKinds)) {
      merged[column] = mergeColumn(kind, merged[column]!, group[i]![column]!);
    }
  }
  return Object.assign(merged, view.derive(merged));
}

/** Merges the partial rows of one view (from any partitions, drains and instances) into logical rows. */
export function mergeRows(view: AnyView, rows: readonly ViewRow[]): ViewRow[] {
  const timeColumns = viewSpec(view.name)
    .columns.slice(0, 2)
    .map((column) => column.name);
  if (view.mergeWindowRows === undefined) {
    return [...groupBy(rows, [...timeColumns, ...view.keyColumns]).values()].map((group) =>
      mergeGroup(view, group),
    );
  }
  const merged: ViewRow[] = [];
  for (const group of groupBy(rows, timeColumns).values()) {
    const time: ViewRow = {};
    for (const column of timeColumns) time[column] = group[0]![column]!;
    for (const row of view.mergeWindowRows(group)) merged.push({ ...time, ...row, ...view.derive(row) });
  }
  return merged;
}

/** A row with exactly the catalog's columns (what dumps and `query` show). */
export function logicalRow(view: AnyView, row: ViewRow): ViewRow {
  const logical: ViewRow = {};
  for (const { name } of viewSpec(view.name).columns) logical[name] = row[name]!;
  return logical;
}
