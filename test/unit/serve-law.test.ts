/**
 * The serving law: for any time range, `serve` answers the batch oracle's rows for windows before the
 * boundary and the speed layer's complete rows from it on, one row per (window, key), each labelled
 * with its source. The oracle is the oracle's SQL over every valid record (late ones included); the
 * speed rows are read as any Parquet reader reads the views tree. Queried over HTTP, page by page.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_NAMES, viewSpec } from '../../src/events/view-catalog.ts';
import { formatRow, sortColumns, sortRows, type ViewRow } from '../../src/events/view-dump.ts';
import { sameValue } from '../../src/events/view-result.ts';
import { publishedResult } from '../../src/processor/query/published-result.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { oracleRowsOfDay, validRecords } from './batch-fixture.ts';
import {
  BATCH_DAY,
  BOUNDARY_MS,
  servedStore,
  startTestServer,
  type ServedStore,
  type TestServer,
} from './serve-fixture.ts';

type Served = Record<string, unknown>;

let served: ServedStore;
let server: TestServer;
let oracle: Map<string, ViewRow[]>;
let speed: ReadonlyMap<string, ViewRow[]>;

beforeAll(async () => {
  served = await servedStore();
  server = await startTestServer(served.store);
  oracle = await oracleRowsOfDay((await validRecords(served.records)).valid, BATCH_DAY);
  speed = (await publishedResult({ store: served.store, layout: DEFAULT_LAYOUT })).rowsByView;
});

afterAll(async () => {
  await server?.close();
  served?.remove();
});

/** Every row of [from, to), following next_cursor page by page. */
async function servedRows(view: string, fromMs: number, toMs: number, limit: number): Promise<Served[]> {
  const rows: Served[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      limit: String(limit),
    });
    if (cursor !== null) query.set('cursor', cursor);
    const response = await fetch(`${server.url}/v1/views/${view}?${query}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      rows: Served[];
      boundary: string;
      page: { next_cursor: string | null };
    };
    expect(body.boundary).toBe(new Date(BOUNDARY_MS).toISOString());
    rows.push(...body.rows);
    cursor = body.page.next_cursor;
  } while (cursor !== null);
  return rows;
}

/** The law's expectation: oracle rows before the boundary, speed rows from it on, in dump order. */
function expectedRows(view: string, fromMs: number, toMs: number): Served[] {
  const spec = viewSpec(view);
  const start = spec.columns[0]!.name;
  const inRange = (row: ViewRow, lo: number, hi: number) =>
    Number(row[start]) >= Math.max(fromMs, lo) && Number(row[start]) < Math.min(toMs, hi);
  const asServed = (row: ViewRow, source: string): Served => ({
    ...JSON.parse(formatRow(spec, row)),
    source,
    is_final: true,
  });
  // Batch windows all start before speed ones: each part in dump order, then one after the other.
  const batchPart = sortRows(
    spec,
    (oracle.get(view) ?? []).filter((row) => inRange(row, -Infinity, BOUNDARY_MS)),
  );
  const speedPart = sortRows(
    spec,
    (speed.get(view) ?? []).filter((row) => inRange(row, BOUNDARY_MS, Infinity)),
  );
  return [
    ...batchPart.map((row) => asServed(row, 'batch')),
    ...speedPart.map((row) => asServed(row, 'speed')),
  ];
}

const sortKey = (view: string, row: Served) => JSON.stringify(sortColumns(viewSpec(view)).map((c) => row[c]));

function sameRows(actual: Served[], expected: Served[]): boolean {
  return (
    actual.length === expected.length &&
    actual.every((row, i) =>
      Object.keys(expected[i]!).every((column) => sameValue(row[column], expected[i]![column])),
    )
  );
}

describe('speed-layer serve over a store with a batch day and speed rows after it', () => {
  it('has rows on both sides of the boundary (the law below is not vacuous)', () => {
    const start = (row: ViewRow) => Number(row.window_start);
    expect((oracle.get('auth_realtime_login_rate') ?? []).length).toBeGreaterThan(5);
    expect(
      (speed.get('auth_realtime_login_rate') ?? []).filter((row) => start(row) >= BOUNDARY_MS).length,
    ).toBeGreaterThan(5);
  });

  it('answers batch oracle rows before the boundary and speed rows after it, one per (window, key)', async () => {
    const minute = 60_000;
    const first = Date.UTC(2025, 0, 6, 23, 30);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VIEW_NAMES),
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(7, 10_000),
        async (view, startMinute, minutes, limit) => {
          const fromMs = first + startMinute * minute;
          const toMs = fromMs + minutes * minute;
          const actual = await servedRows(view, fromMs, toMs, limit);
          const keys = actual.map((row) => sortKey(view, row));
          expect(new Set(keys).size).toBe(keys.length);
          const expected = expectedRows(view, fromMs, toMs);
          expect(
            sameRows(actual, expected),
            `${view} [${new Date(fromMs).toISOString()}, ${new Date(toMs).toISOString()})`,
          ).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
