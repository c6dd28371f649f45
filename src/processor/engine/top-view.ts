/**
 * Top-N views (`ORDER BY <column> DESC, <group> LIMIT n` per window): each window's groups ranked by
 * one stored column, descending, ties by group id ascending (UTF-16 order); the first `limit` groups
 * become rows numbered by the catalog's one key column (the rank). The global ranking needs the
 * merged columns of every group, so a partial result also carries every group's columns, as one `_`
 * json column `{group: [values in column order]}` on its rank-1 row, and the rows of one window merge by
 * merging those per group (by each column's merge kind) and ranking again.
 */
import type { EventType } from '../../events/topics.ts';
import type { EventOf } from '../../events/types.ts';
import type { ViewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { mergeColumn, type Aggregate, type CellValue, type PartialColumns } from './aggregate.ts';
import { ColumnsAggregate, type Columns, type Slots, type StoredColumn } from './columns.ts';
import {
  catalogSpec,
  checkColumnType,
  definitionError,
  noKey,
  valueColumns,
  type Selectable,
  type WindowView,
} from './view-definition.ts';
import type { TumblingSpec } from './windows.ts';

export interface TopDefinition<T extends EventType> {
  name: string;
  inputTypes: readonly T[];
  window: TumblingSpec;
  /** The group column and each event's group, e.g. `{ video_id: (event) => event.video_id }`. */
  groupBy: Readonly<Record<string, (event: EventOf<T>) => string>>;
  /** Groups rank by this column, descending. */
  rankBy: string;
  limit: number;
  /** The `_` json column carrying every group's columns. */
  allGroupsColumn: string;
}

/** Group → its column values, in column order (the `_` column's JSON). */
type ValuesByGroup = Record<string, CellValue[]>;

/** A top-N view; `select` takes the stored columns of each group. */
export function topView<T extends EventType>(
  definition: TopDefinition<T>,
): Selectable<EventOf<T>, WindowView> {
  const spec = catalogSpec(definition.name, 'window');
  return { select: (columns) => compileTop(definition, spec, columns) };
}

function compileTop<T extends EventType>(
  definition: TopDefinition<T>,
  spec: ViewSpec,
  declaredColumns: Columns<EventOf<T>>,
): WindowView {
  const { name, inputTypes, window, rankBy, limit, allGroupsColumn } = definition;
  const groupBy = Object.entries(definition.groupBy);
  if (groupBy.length !== 1) definitionError(name, `groupBy names ${groupBy.length} columns, not one`);
  const [[groupColumn, groupOf]] = groupBy as [[string, (event: EventOf<T>) => string]];
  if (spec.keys.length !== 1) definitionError(name, `the catalog needs one key column (the rank)`);
  const rankColumn = spec.keys[0]!;
  const names = Object.keys(declaredColumns);
  const columns: StoredColumn<EventOf<T>>[] = [];
  checkColumnType(name, spec, groupColumn, 'string');
  for (const [column, declared] of Object.entries(declaredColumns)) {
    if (column.startsWith('_') || declared.op === 'derived')
      definitionError(name, `column ${column} of a group must be a stored catalog column`);
    checkColumnType(name, spec, column, declared.type);
    columns.push(declared);
  }
  for (const { name: column } of valueColumns(spec)) {
    if (column !== groupColumn && !names.includes(column))
      definitionError(name, `catalog column ${column} is not declared`);
  }
  const rankIndex = names.indexOf(rankBy);
  if (rankIndex < 0) definitionError(name, `rankBy ${rankBy} is not one of the columns`);
  if (!allGroupsColumn.startsWith('_'))
    definitionError(name, `allGroupsColumn ${allGroupsColumn} needs a _ prefix`);

  const perGroup = new ColumnsAggregate(names, columns);
  const mergeKinds = columns.map((column) => column.mergeKind);

  function valuesByGroup(groups: Map<string, Slots>): ValuesByGroup {
    const values: ValuesByGroup = {};
    for (const [group, slots] of groups) {
      const row = perGroup.partial(slots);
      values[group] = names.map((column) => row[column]!);
    }
    return values;
  }

  function ranked(values: ValuesByGroup): PartialColumns[] {
    const groups = Object.keys(values).sort((a, b) => {
      const byRank = Number(values[b]![rankIndex]) - Number(values[a]![rankIndex]);
      return byRank !== 0 ? byRank : a < b ? -1 : a > b ? 1 : 0;
    });
    return groups.slice(0, limit).map((group, index) => {
      const row: PartialColumns = { [rankColumn]: index + 1, [groupColumn]: group };
      names.forEach((column, at) => (row[column] = values[group]![at]!));
      row[allGroupsColumn] = index === 0 ? JSON.stringify(values) : null;
      return row;
    });
  }

  const aggregate: Aggregate<EventOf<T>, Map<string, Slots>> = {
    init: () => new Map(),
    add(groups, event) {
      const group = groupOf(event);
      let slots = groups.get(group);
      if (slots === undefined) groups.set(group, (slots = perGroup.init()));
      perGroup.add(slots, event);
    },
    merge(into, from) {
      for (const [group, slots] of from) {
        let merged = into.get(group);
        if (merged === undefined) into.set(group, (merged = perGroup.init()));
        perGroup.merge(merged, slots);
      }
    },
    partial: (groups) => ({ [allGroupsColumn]: JSON.stringify(valuesByGroup(groups)) }),
  };

  return {
    kind: 'window',
    name,
    inputTypes,
    window,
    key: noKey,
    aggregate,
    keyColumns: [], // one cell per window; the rank comes from `rows`
    mergeKinds: {}, // the rows of a window merge through mergeWindowRows
    hiddenColumns: { [allGroupsColumn]: 'json' },
    derive: () => ({}),
    rows: (groups: Map<string, Slots>) => ranked(valuesByGroup(groups)),
    mergeWindowRows(rows: readonly ViewRow[]) {
      const merged: ValuesByGroup = {};
      for (const row of rows) {
        const column = row[allGroupsColumn];
        if (typeof column !== 'string') continue;
        for (const [group, values] of Object.entries(JSON.parse(column) as ValuesByGroup)) {
          const sum = merged[group];
          merged[group] =
            sum === undefined
              ? values
              : values.map((value, at) => mergeColumn(mergeKinds[at]!, sum[at]!, value));
        }
      }
      return ranked(merged);
    },
  };
}
