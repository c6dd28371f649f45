import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_LAYOUT } from '../../src/batch/batch-layout.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import type { TimeRange } from '../../src/serving/batch-source.ts';
import { MergedRows } from '../../src/serving/merged-rows.ts';
import type { ProvisionalRows } from '../../src/serving/provisional-rows.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { servedStore, type ServedStore } from './serve-fixture.ts';

const VIEW = 'auth_realtime_login_rate';
let served: ServedStore;

beforeAll(async () => {
  served = await servedStore();
});
afterAll(() => served?.remove());

/** A provisional source holding fixed rows (what the Kafka feed would hold), recording what it was asked. */
function fixedSource(rows: ViewRow[]): ProvisionalRows & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    rowsOf: (_view: string, range: TimeRange, completeMs?: number) => {
      asked.push(completeMs ?? NaN);
      return rows.filter(
        (row) => Number(row.window_start) >= range.fromMs && Number(row.window_start) < range.toMs,
      );
    },
    asOfMs: () => 1_736_000_000_000,
    onChange: () => () => undefined,
  };
}

const row = (startMs: number, attempts: number): ViewRow => ({
  window_start: startMs,
  window_end: startMs + 60_000,
  login_attempts: attempts,
  login_successes: attempts,
  login_failures: 0,
  success_rate: 1,
});

describe('answers with a provisional source', () => {
  it('add the open windows after the complete rows, never a second row for a complete window', async () => {
    const options = { layout: DEFAULT_LAYOUT, batchLayout: DEFAULT_BATCH_LAYOUT };
    const finalOnly = await new MergedRows(served.store, options).rows({ view: VIEW });
    const lastFinal = finalOnly.rows.at(-1)!.row;
    const openStartMs = Number(lastFinal.window_start) + 10 * 60_000;
    // One row for a window the speed layer already answers (a stale cell), one for an open window.
    const source = fixedSource([row(Number(lastFinal.window_start), 999), row(openStartMs, 7)]);
    const merged = new MergedRows(served.store, { ...options, provisional: source });

    const answer = await merged.rows({ view: VIEW });
    expect(answer.rows.slice(0, -1)).toEqual(finalOnly.rows);
    expect(answer.rows.at(-1)).toEqual({ row: row(openStartMs, 7), source: 'provisional' });
    expect(source.asked.at(-1)).toBe(finalOnly.completeThroughMs); // the answer's own completeness
    expect(answer.provisionalAsOfMs).toBe(1_736_000_000_000);

    const latest = await merged.latest({ view: VIEW });
    expect(latest.rows.map(({ source: from }) => from)).toEqual(['speed', 'provisional']);
    expect(latest.rows[0]!.row).toEqual(lastFinal);
  });
});
