/**
 * Comparing two results over the same records (two dumps: replay and oracle, or published views and the
 * oracle): doubles agree within a relative 1e-9 (sums may add in another order), everything else exactly.
 * Differences come back as readable lines, each naming its view (or the rejected list).
 */
import { VIEW_NAMES, viewSpec } from './view-catalog.ts';
import { sortRejected, sortRows, type RejectedRecord, type ViewRow } from './view-dump.ts';

export interface ViewResult {
  rowsByView: ReadonlyMap<string, ViewRow[]>;
  rejected: RejectedRecord[];
}

/** The parts of a result: one view of the catalog by name, or the rejected list. */
export const REJECTED = '_rejected';
export const RESULT_PARTS: readonly string[] = [...VIEW_NAMES, REJECTED];

/** Equal as results compare: doubles within a relative 1e-9, bigint and number by value, else exactly. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') return Number(a) === Number(b);
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** The first few differences between two results, readable; empty when they agree. */
export function differences(actual: ViewResult, expected: ViewResult, limit = 5): string[] {
  const found: string[] = [];
  for (const part of RESULT_PARTS) found.push(...differencesIn(part, actual, expected, limit - found.length));
  return found;
}

/** The first few differences in one part (a view, or the rejected list), each line naming the part. */
export function differencesIn(part: string, actual: ViewResult, expected: ViewResult, limit = 5): string[] {
  const found: string[] = [];
  if (part === REJECTED) {
    const ours = sortRejected(actual.rejected).map((r) => JSON.stringify(r));
    const theirs = sortRejected(expected.rejected).map((r) => JSON.stringify(r));
    for (let i = 0; i < Math.max(ours.length, theirs.length) && found.length < limit; i++) {
      if (ours[i] !== theirs[i])
        found.push(`${REJECTED} row ${i}:\n  actual   ${ours[i]}\n  expected ${theirs[i]}`);
    }
    return found;
  }
  const spec = viewSpec(part);
  const ours = sortRows(spec, actual.rowsByView.get(spec.name) ?? []);
  const theirs = sortRows(spec, expected.rowsByView.get(spec.name) ?? []);
  for (let i = 0; i < Math.max(ours.length, theirs.length) && found.length < limit; i++) {
    const a = ours[i];
    const b = theirs[i];
    const same =
      a !== undefined && b !== undefined && spec.columns.every(({ name }) => sameValue(a[name], b[name]));
    if (!same) found.push(`${spec.name} row ${i}:\n  actual   ${show(a)}\n  expected ${show(b)}`);
  }
  return found;
}

function show(row: ViewRow | undefined): string {
  return row === undefined
    ? '(none)'
    : JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
}
