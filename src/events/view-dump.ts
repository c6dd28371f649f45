/**
 * View dumps of docs/contract/record-files-and-dumps.md: `DIR/<view>.jsonl` with merged logical rows in the catalog's column order,
 * timestamps as ISO strings, rows sorted by time columns then keys; `DIR/_rejected.jsonl` sorted by
 * topic, partition, offset. The processor's `replay` and the oracle both write through here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RejectReason } from './record.ts';
import { VIEW_SPECS, type ViewSpec } from './view-catalog.ts';

/** A logical row: timestamp columns hold epoch ms; counts may be number or bigint. */
export type ViewRow = Record<string, string | number | bigint | boolean | null>;

export interface RejectedRecord {
  topic: string;
  partition: number;
  offset: number;
  reason: RejectReason;
}

function compareValues(a: ViewRow[string], b: ViewRow[string]): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : 1; // UTF-16 code units
  return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
}

/** The sort columns of a view: its two time columns, then its keys in docs/contract/views.md order. */
export function sortColumns(spec: ViewSpec): string[] {
  return [spec.columns[0]!.name, spec.columns[1]!.name, ...spec.keys];
}

export function sortRows(spec: ViewSpec, rows: ViewRow[]): ViewRow[] {
  const by = sortColumns(spec);
  return [...rows].sort((a, b) => {
    for (const column of by) {
      const order = compareValues(a[column]!, b[column]!);
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** One dump line: exactly the catalog's columns, in order. */
export function formatRow(spec: ViewSpec, row: ViewRow): string {
  const out: Record<string, unknown> = {};
  for (const { name, type } of spec.columns) {
    const value = row[name];
    if (value === undefined) throw new Error(`${spec.name}: row has no column ${name}`);
    if (type === 'timestamp') out[name] = new Date(Number(value)).toISOString();
    else if (typeof value === 'bigint') out[name] = Number(value);
    else out[name] = value;
  }
  return JSON.stringify(out);
}

export function sortRejected(rejected: RejectedRecord[]): RejectedRecord[] {
  return [...rejected].sort((a, b) =>
    a.topic !== b.topic ? (a.topic < b.topic ? -1 : 1) : a.partition - b.partition || a.offset - b.offset,
  );
}

function lines(texts: string[]): string {
  return texts.length === 0 ? '' : `${texts.join('\n')}\n`;
}

/** Writes all 25 view files (empty where a view has no rows) and `_rejected.jsonl`. */
export async function writeViewDump(
  dir: string,
  rowsByView: ReadonlyMap<string, ViewRow[]>,
  rejected: RejectedRecord[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const spec of VIEW_SPECS) {
    const rows = sortRows(spec, rowsByView.get(spec.name) ?? []);
    await writeFile(join(dir, `${spec.name}.jsonl`), lines(rows.map((row) => formatRow(spec, row))));
  }
  const rejectedLines = sortRejected(rejected).map(({ topic, partition, offset, reason }) =>
    JSON.stringify({ topic, partition, offset, reason }),
  );
  await writeFile(join(dir, '_rejected.jsonl'), lines(rejectedLines));
}
