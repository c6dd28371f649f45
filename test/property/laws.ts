/**
 * Law helpers for the engine's property tests: replay in memory, compare two view results row by row
 * (doubles with relative tolerance 1e-9, everything else exact), and the oracle law.
 */
import type { SourceRecord } from '../../src/events/record.ts';
import { VIEW_SPECS } from '../../src/events/view-catalog.ts';
import { sortRejected, sortRows, type RejectedRecord, type ViewRow } from '../../src/events/view-dump.ts';
import { runOracle } from '../../src/oracle/run-oracle.ts';
import { replay, type ReplayOptions } from '../../src/processor/replay.ts';

export interface ViewResult {
  rowsByView: ReadonlyMap<string, ViewRow[]>;
  rejected: RejectedRecord[];
}

export const LAW_OPTIONS = { watermarkDelayMs: 120_000, sessionGapMs: 600_000 };

/** Property runs: `PROPERTY_RUNS` overrides the default of a law. */
export function runs(defaultRuns: number): number {
  const fromEnv = Number(process.env.PROPERTY_RUNS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

export function replayInMemory(records: readonly SourceRecord[], batchSize: number): Promise<ViewResult> {
  const options: ReplayOptions = { ...LAW_OPTIONS, batchSize };
  return replay(records, options);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' || typeof b === 'bigint') return Number(a) === Number(b);
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** The first few differences between two results, readable; empty when they agree. */
export function differences(actual: ViewResult, expected: ViewResult, limit = 5): string[] {
  const found: string[] = [];
  for (const spec of VIEW_SPECS) {
    const ours = sortRows(spec, actual.rowsByView.get(spec.name) ?? []);
    const theirs = sortRows(spec, expected.rowsByView.get(spec.name) ?? []);
    for (let i = 0; i < Math.max(ours.length, theirs.length) && found.length < limit; i++) {
      const a = ours[i];
      const b = theirs[i];
      const same =
        a !== undefined && b !== undefined && spec.columns.every(({ name }) => sameValue(a[name], b[name]));
      if (!same) found.push(`${spec.name} row ${i}:\n  actual   ${show(a)}\n  expected ${show(b)}`);
    }
  }
  const ours = sortRejected(actual.rejected).map((r) => JSON.stringify(r));
  const theirs = sortRejected(expected.rejected).map((r) => JSON.stringify(r));
  for (let i = 0; i < Math.max(ours.length, theirs.length) && found.length < limit; i++) {
    if (ours[i] !== theirs[i])
      found.push(`_rejected row ${i}:\n  actual   ${ours[i]}\n  expected ${theirs[i]}`);
  }
  return found;
}

function show(row: ViewRow | undefined): string {
  return row === undefined
    ? '(none)'
    : JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
}

/** Throws with a readable diff when the two results differ. */
export function assertSameResult(actual: ViewResult, expected: ViewResult, what: string): void {
  const found = differences(actual, expected);
  if (found.length > 0) throw new Error(`${what}:\n${found.join('\n')}`);
}

/** The oracle law: replay's output equals the oracle's for all 25 views and the rejected list. */
export async function matchesOracle(records: readonly SourceRecord[], batchSize: number): Promise<void> {
  const [ours, oracle] = [await replayInMemory(records, batchSize), await runOracle(records, LAW_OPTIONS)];
  assertSameResult(
    ours,
    oracle,
    `replay (batch size ${batchSize}) differs from the oracle on ${records.length} records`,
  );
}
