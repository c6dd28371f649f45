/**
 * The reconciliation law: on any stream, the batch rows (the oracle's SQL over every valid record, late
 * ones included) and the speed rows (the same SQL over the accepted records only: what the speed layer
 * publishes) differ exactly where late records reach. The acceptance scan (src/oracle/acceptance.ts)
 * tells the two apart; the pure diff (src/batch/reconcile-diff.ts) must then find
 * - every row no late event touches equal on both sides,
 * - every differing or one-sided row touched by some late event,
 * - and every row whose values changed (checked here independently) as differing or one-sided.
 * "Touches" is the view's reach: the late event's topic is one of the view's job, its time lies in the
 * row's window (for the two joins up to the join bound after it, any key, as the joined event may carry
 * another course or channel; for sessions within the gap around the session), and its key fields equal
 * the row's key columns it carries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOB_TOPICS } from '../../src/events/topics.ts';
import type { LmsEvent } from '../../src/events/types.ts';
import { validateValue } from '../../src/events/validate.ts';
import { VIEW_SPECS, type ViewSpec } from '../../src/events/view-catalog.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { AcceptanceScan } from '../../src/oracle/acceptance.ts';
import { appendEvent } from '../../src/oracle/events-table.ts';
import { withSession } from '../../src/oracle/oracle-session.ts';
import { compareViewRows, matchColumns, type RowKey } from '../../src/batch/reconcile-diff.ts';
import { recordStream } from './arbitraries.ts';
import { LAW_OPTIONS, runs, sharedSeed } from './laws.ts';

/** How far past its window a join view's row reaches (docs/contract/views.md). */
const JOIN_BOUND_MS: Record<string, number> = {
  assessment_realtime_grading_queue: 30 * 60_000,
  notification_realtime_delivery_status: 10 * 60_000,
};

interface Judged {
  record: SourceRecord;
  event: LmsEvent;
}

/** The acceptance scan over the stream: the accepted records and the late ones, with their events. */
function judge(records: readonly SourceRecord[]): { accepted: Judged[]; late: Judged[] } {
  const scan = new AcceptanceScan(LAW_OPTIONS.watermarkDelayMs);
  const accepted: Judged[] = [];
  const late: Judged[] = [];
  for (const record of records) {
    const verdict = scan.judge(record);
    if (verdict.accepted) accepted.push({ record, event: verdict.event });
    else if (verdict.reason === 'late') {
      const validation = validateValue(record.topic as never, record.key, record.value);
      if (!validation.ok)
        throw new Error(`a late record that is not valid: ${record.topic}:${record.offset}`);
      late.push({ record, event: validation.event });
    }
  }
  return { accepted, late };
}

/** The oracle's SQL over exactly these events: every view's rows. */
function viewsOver(events: readonly Judged[]): Promise<Map<string, ViewRow[]>> {
  return withSession(async (session) => {
    const appender = await session.appender();
    for (const { record, event } of events) appendEvent(appender, record, event);
    appender.closeSync();
    await session.setSessionGap(LAW_OPTIONS.sessionGapMs);
    return session.queryAllViews(new Set(events.map(({ record }) => record.topic)));
  });
}

function touches(spec: ViewSpec, row: ViewRow, { record, event }: Judged): boolean {
  if (!(JOB_TOPICS[spec.job] as readonly string[]).includes(record.topic)) return false;
  const [startMs, endMs] = [Number(row[spec.columns[0]!.name]), Number(row[spec.columns[1]!.name])];
  const timeMs = event.event_time;
  const bound = JOIN_BOUND_MS[spec.name];
  if (bound !== undefined) return timeMs >= startMs && timeMs <= endMs + bound;
  const inTime =
    spec.timing === 'session'
      ? timeMs >= startMs - LAW_OPTIONS.sessionGapMs && timeMs <= endMs
      : timeMs >= startMs && timeMs < endMs;
  const fields = event as unknown as Record<string, unknown>;
  return inTime && spec.keys.every((key) => fields[key] === undefined || fields[key] === row[key]);
}

/** A row's (or a reported key's) match columns as one string: timestamps as ms, int64 as numbers. */
function idOf(spec: ViewSpec, row: ViewRow | RowKey): string {
  const types = new Map(spec.columns.map(({ name, type }) => [name, type]));
  return JSON.stringify(
    matchColumns(spec).map((name) => {
      const value = row[name];
      if (types.get(name) === 'timestamp')
        return typeof value === 'string' ? Date.parse(value) : Number(value);
      return types.get(name) === 'int64' ? Number(value) : value;
    }),
  );
}

/** Independent of the diff: the two rows differ (doubles beyond a relative 1e-9). */
function changed(spec: ViewSpec, a: ViewRow | undefined, b: ViewRow | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return spec.columns.some(({ name, type }) => {
    const [x, y] = [a[name], b[name]];
    if (type === 'double' && typeof x === 'number' && typeof y === 'number')
      return Math.abs(x - y) > 1e-9 * Math.max(Math.abs(x), Math.abs(y));
    return String(x) !== String(y);
  });
}

/** Checks one view; returns how many rows differed. */
function checkView(spec: ViewSpec, batch: ViewRow[], speed: ViewRow[], late: readonly Judged[]): number {
  const comparison = compareViewRows(spec, batch, speed, Infinity);
  const { equal, differing, onlyBatch, onlySpeed } = comparison;
  expect(equal + differing.length + onlyBatch.length, `${spec.name}: batch rows`).toBe(batch.length);
  expect(equal + differing.length + onlySpeed.length, `${spec.name}: speed rows`).toBe(speed.length);
  const reported = new Set([...differing, ...onlyBatch, ...onlySpeed].map((key) => idOf(spec, key)));
  const batchById = new Map(batch.map((row) => [idOf(spec, row), row]));
  const speedById = new Map(speed.map((row) => [idOf(spec, row), row]));
  for (const id of new Set([...batchById.keys(), ...speedById.keys()])) {
    const [b, s] = [batchById.get(id), speedById.get(id)];
    const touched = late.some(
      (one) => (b !== undefined && touches(spec, b, one)) || (s !== undefined && touches(spec, s, one)),
    );
    const moved = changed(spec, b, s);
    expect(reported.has(id), `${spec.name} ${id}: reported as not equal iff its values changed`).toBe(moved);
    if (!touched) expect(moved, `${spec.name} ${id}: changed without a late event reaching it`).toBe(false);
  }
  return reported.size;
}

describe('reconciliation of speed against batch, for any stream', () => {
  it('finds differences exactly in the rows late events reach', async () => {
    const numRuns = runs(25);
    let differingRows = 0;
    await fc.assert(
      fc.asyncProperty(recordStream(), async ({ records }) => {
        const { accepted, late } = judge(records);
        const speed = await viewsOver(accepted);
        const batch = await viewsOver([...accepted, ...late]);
        for (const spec of VIEW_SPECS)
          differingRows += checkView(spec, batch.get(spec.name)!, speed.get(spec.name)!, late);
      }),
      { numRuns, seed: sharedSeed() },
    );
    // The law says something only if late events did change rows on some stream.
    if (numRuns >= 10) expect(differingRows).toBeGreaterThan(0);
  });
});
