/**
 * Merge of partial rows into logical rows (docs/contract/semantics.md "Partial rows"): rows of the same (window, key)
 * combine column by column as the view's `mergeKinds` say, then the derived columns are recomputed from
 * the merged ones. The result is again a valid partial row (`_` columns kept), so merging is associative.
 */
import { viewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { mergeColumn } from './aggregate.ts';
import type { AnyView } from './view-definition.ts';

/** The values of `columns` as one string, each prefixed by its length so that no two lists collide. */
function groupId(row: ViewRow, columns: readonly string[]): string {
  let id = '';
  for (const column of columns) {
    const text = String(row[column]);
    id += `${text.length}:${text}`;
  }
  return id;
}

function groupBy(rows: readonly ViewRow[], columns: readonly string[]): Map<string, ViewRow[]> {
  const groups = new Map<string, ViewRow[]>();
  for (const row of rows) {
    const id = groupId(row, columns);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [row]);
    else group.push(row);
  }
  return groups;
}

const mergeKindsOf = new WeakMap<AnyView, [string, AnyView['mergeKinds'][string]][]>();

function mergeGroup(view: AnyView, group: readonly ViewRow[]): ViewRow {
  const merged: ViewRow = { ...group[0]! };
  if (group.length > 1) {
    let kinds = mergeKindsOf.get(view);
    if (kinds === undefined) mergeKindsOf.set(view, (kinds = Object.entries(view.mergeKinds)));
    for (let i = 1; i < group.length; i++) {
      for (const [column, kind] of kinds)
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
