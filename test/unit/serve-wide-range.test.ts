/**
 * Wide ranges stay cheap: a range of a century answers what a narrow range around the data answers,
 * and reads storage a bounded number of times (the dates that hold rows, not every day of the range),
 * both through the merge (`serve`) and on the speed side alone with every day closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingStore } from '../../src/load/counting-store.ts';
import { ViewQuery, type QueryRequest, type QueryResult } from '../../src/processor/query/view-query.ts';
import { LruCache } from '../../src/serving/lru-cache.ts';
import { MergedRows } from '../../src/serving/merged-rows.ts';
import { speedRowsIn } from '../../src/serving/speed-source.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { servedStore, type ServedStore } from './serve-fixture.ts';

const VIEW = 'auth_realtime_login_rate';
const CENTURY = { fromMs: Date.UTC(2000, 0, 1), toMs: Date.UTC(2100, 0, 1) };
/** The fixture's records lie around the midnight of 2025-01-06/07. */
const AROUND_DATA = { fromMs: Date.UTC(2025, 0, 6), toMs: Date.UTC(2025, 0, 8) };

/** A ViewQuery that counts the reads it is asked for. */
class CountingQuery extends ViewQuery {
  queries = 0;
  listings = 0;

  override query(request: QueryRequest): Promise<QueryResult> {
    this.queries++;
    return super.query(request);
  }

  override rowDays(view: string): Promise<number[]> {
    this.listings++;
    return super.rowDays(view);
  }
}

let served: ServedStore;

beforeAll(async () => {
  served = await servedStore();
});

afterAll(() => served?.remove());

const lists = (store: CountingStore) => store.counts.get('list') ?? 0;

describe('a range of a century', () => {
  it('answers through the merge the rows a range around the data answers, listing storage a few times', async () => {
    const store = new CountingStore(served.store);
    const merged = new MergedRows(store);
    const narrow = await merged.rows({ view: VIEW, ...AROUND_DATA });
    expect(narrow.rows.length).toBeGreaterThan(5);
    const narrowLists = lists(store);

    const wide = await merged.rows({ view: VIEW, ...CENTURY });
    expect(wide.rows).toEqual(narrow.rows);
    // A day-by-day read would list the view's folder once per day (over 9,000 days before 2025).
    expect(lists(store) - narrowLists).toBeLessThanOrEqual(narrowLists + 1); // one listing more
  });

  it('reads only the dates holding rows when every day is closed, and keeps them for the next answer', async () => {
    const query = new CountingQuery(served.store);
    const source = { query, cache: new LruCache<ViewRow[]>(256) };
    const allClosedMs = CENTURY.toMs + 365 * 86_400_000; // complete_through past the range's end
    const narrow = await speedRowsIn(source, VIEW, AROUND_DATA, allClosedMs);
    expect(narrow.length).toBeGreaterThan(5);
    const days = (await query.rowDays(VIEW)).length;
    expect(days).toBeGreaterThan(0);

    const wideSource = { query: new CountingQuery(served.store), cache: new LruCache<ViewRow[]>(256) };
    const wide = await speedRowsIn(wideSource, VIEW, CENTURY, allClosedMs);
    expect(wide).toEqual(narrow);
    expect(wideSource.query.listings).toBe(1);
    expect(wideSource.query.queries).toBe(days);

    // Asked again: the closed dates come from the LRU, only the listing is read again.
    const again = await speedRowsIn(wideSource, VIEW, CENTURY, allClosedMs);
    expect(again).toEqual(narrow);
    expect(wideSource.query.listings).toBe(2);
    expect(wideSource.query.queries).toBe(days);
  });

  it('answers a narrow range asked again from the LRU alone, empty days included', async () => {
    const query = new CountingQuery(served.store);
    const source = { query, cache: new LruCache<ViewRow[]>(256) };
    const allClosedMs = CENTURY.toMs;
    const week = { fromMs: Date.UTC(2025, 0, 3), toMs: Date.UTC(2025, 0, 10) };
    const first = await speedRowsIn(source, VIEW, week, allClosedMs);
    const [listings, queries] = [query.listings, query.queries];
    expect(listings).toBe(1);

    const second = await speedRowsIn(source, VIEW, week, allClosedMs);
    expect(second).toEqual(first);
    expect([query.listings, query.queries]).toEqual([listings, queries]);
  });
});
