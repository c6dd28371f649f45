/**
 * The one merge of batch and speed rows (docs/serving.md "The merge"), used by `speed-layer serve` and
 * `speed-layer query --source all`, so the two never disagree. A window (or session) is answered by
 * exactly one layer, chosen by its start: the batch layer for the days of its coverage (before the
 * boundary, time-boundary.ts), the speed layer's complete rows otherwise. Each layer holds one row per
 * (window, key), so the answer does too. Both rows are final: the speed layer publishes complete rows
 * only, the batch layer closed days only. With a provisional source, windows not complete yet are
 * answered by their provisional rows (`is_final: false`), never beside a final row of the same cell.
 */
import { DEFAULT_BATCH_LAYOUT, type BatchLayout } from '../batch/batch-layout.ts';
import { DAY_MS } from '../batch/batch-days.ts';
import { readManifest } from '../batch/manifest.ts';
import { viewSpec, type ViewSpec } from '../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../events/view-dump.ts';
import { ViewQuery } from '../processor/query/view-query.ts';
import { DEFAULT_LAYOUT, type StorageLayout } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { batchRowsIn, type TimeRange } from './batch-source.ts';
import { LruCache } from './lru-cache.ts';
import type { ProvisionalRows } from './provisional-rows.ts';
import { completeThroughMs, speedRowsIn } from './speed-source.ts';
import { batchCoverage } from './time-boundary.ts';

export type RowSource = 'batch' | 'speed' | 'provisional';

export interface ServedRow {
  row: ViewRow;
  source: RowSource;
}

export interface MergedRequest {
  view: string;
  /** Window (session) starts in [fromMs, toMs); either end may be open. */
  fromMs?: number;
  toMs?: number;
  /** Key column → value (compared as text): only rows with these key values. */
  keys?: Readonly<Record<string, string>>;
}

export interface MergedAnswer {
  view: string;
  /** Sorted as dumps are: time columns, then keys. */
  rows: ServedRow[];
  /** Windows starting before this (from batchFromMs on) come from the batch layer; null: none do. */
  boundaryMs: number | null;
  batchFromMs: number | null;
  /** The view's complete_through when the answer was read (−∞ before the first completion). */
  completeThroughMs: number;
  /** When the newest provisional value of the view's job was taken; null without any. */
  provisionalAsOfMs: number | null;
}

export interface MergedRowsOptions {
  layout?: StorageLayout;
  batchLayout?: BatchLayout;
  /** Days kept in the LRU (batch days and closed speed dates together); default 256. */
  cacheEntries?: number;
  /** Rows of windows not complete yet; without it answers hold final rows only. */
  provisional?: ProvisionalRows;
}

/** How far back `latest` looks for a window with rows. */
const LATEST_LOOKBACK_DAYS = 31;

export class MergedRows {
  private readonly query: ViewQuery;
  private readonly layout: StorageLayout;
  private readonly batchLayout: BatchLayout;
  private readonly cache: LruCache<ViewRow[]>;
  private readonly provisional: ProvisionalRows | undefined;

  constructor(
    private readonly store: ObjectStore,
    options: MergedRowsOptions = {},
  ) {
    this.layout = options.layout ?? DEFAULT_LAYOUT;
    this.query = new ViewQuery(store, { layout: this.layout });
    this.batchLayout = options.batchLayout ?? DEFAULT_BATCH_LAYOUT;
    this.cache = new LruCache(options.cacheEntries ?? 256);
    this.provisional = options.provisional;
  }

  /** The view's complete_through (−∞ before the first completion). */
  completeThroughMs(view: string): Promise<number> {
    return completeThroughMs(this.query, view);
  }

  async rows(request: MergedRequest): Promise<MergedAnswer> {
    const spec = viewSpec(request.view);
    const startColumn = spec.columns[0]!.name;
    // Completeness first: the rows read after it are at least that complete.
    const completeMs = await completeThroughMs(this.query, spec.name);
    const coverage = batchCoverage(await readManifest(this.store, this.batchLayout), spec.name);
    const range: TimeRange = { fromMs: request.fromMs ?? -Infinity, toMs: request.toMs ?? Infinity };
    const speed = (part: TimeRange) =>
      part.fromMs < part.toMs
        ? speedRowsIn({ query: this.query, cache: this.cache }, spec.name, part, completeMs)
        : Promise.resolve([]);
    // Three parts in time order: speed before the batch days, the batch days, speed from the boundary.
    const parts: ServedRow[][] = [];
    const label = (rows: ViewRow[], source: RowSource) =>
      sortRows(spec, rows.filter(keyFilter(request.keys))).map((row) => ({ row, source }));
    if (coverage === null) parts.push(label(await speed(range), 'speed'));
    else {
      const before = { fromMs: range.fromMs, toMs: Math.min(range.toMs, coverage.fromMs) };
      const batch = {
        fromMs: Math.max(range.fromMs, coverage.fromMs),
        toMs: Math.min(range.toMs, coverage.toMs),
      };
      const after = { fromMs: Math.max(range.fromMs, coverage.toMs), toMs: range.toMs };
      parts.push(label(await speed(before), 'speed'));
      if (batch.fromMs < batch.toMs) {
        const source = { store: this.store, layout: this.batchLayout, cache: this.cache };
        parts.push(label(await batchRowsIn(source, spec.name, coverage, batch, startColumn), 'batch'));
      }
      parts.push(label(await speed(after), 'speed'));
    }
    if (this.provisional !== undefined) {
      const open = { fromMs: Math.max(range.fromMs, coverage?.toMs ?? -Infinity), toMs: range.toMs };
      const final = new Set(parts.flat().map(({ row }) => cellOf(spec, row)));
      const rows = this.provisional.rowsOf(spec.name, open, completeMs);
      parts.push(
        label(
          rows.filter((row) => !final.has(cellOf(spec, row))),
          'provisional',
        ),
      );
    }
    return {
      view: spec.name,
      rows: parts.at(-1)?.[0]?.source === 'provisional' ? sortServed(spec, parts.flat()) : parts.flat(),
      boundaryMs: coverage?.toMs ?? null,
      batchFromMs: coverage?.fromMs ?? null,
      completeThroughMs: completeMs,
      provisionalAsOfMs: this.provisional?.asOfMs(spec.name) ?? null,
    };
  }

  /**
   * The rows of the newest complete window (or session start) that has any, with the provisional
   * windows after it (a provisional source answers up to now: see `rows`): from the newest date folder of the
   * views tree (or the last batch day) back, at most 31 days. Not from complete_through: an idle job's
   * completeness runs far ahead of its last rows.
   */
  async latest(request: Omit<MergedRequest, 'fromMs' | 'toMs'>): Promise<MergedAnswer> {
    const probe = await this.rows({ ...request, fromMs: 0, toMs: 0 });
    const dates = (await this.store.list(`${this.layout.viewsPrefix}${request.view}/`))
      .map((key) => /\/date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1])
      .filter((date) => date !== undefined)
      .map((date) => Date.parse(`${date}T00:00:00Z`));
    const newestMs = Math.max(...dates, (probe.boundaryMs ?? -Infinity) - DAY_MS);
    if (!Number.isFinite(newestMs)) return probe;
    const startColumn = viewSpec(request.view).columns[0]!.name;
    for (let day = 0, fromMs = newestMs; day < LATEST_LOOKBACK_DAYS; day++, fromMs -= DAY_MS) {
      // The newest day reads on to now: provisional windows may have passed midnight.
      const answer = await this.rows({ ...request, fromMs, toMs: day === 0 ? Infinity : fromMs + DAY_MS });
      const final = answer.rows.filter(({ source }) => source !== 'provisional');
      if (final.length === 0) continue;
      // The newest complete window, and the provisional windows after it.
      const lastMs = Number(final.at(-1)!.row[startColumn]);
      const rows = answer.rows.filter(({ row, source }) =>
        source === 'provisional' ? Number(row[startColumn]) > lastMs : Number(row[startColumn]) === lastMs,
      );
      return { ...answer, rows };
    }
    return probe;
  }
}

/** A row's (window, key): its time columns and key columns. */
function cellOf(spec: ViewSpec, row: ViewRow): string {
  const columns = [spec.columns[0]!.name, spec.columns[1]!.name, ...spec.keys];
  return JSON.stringify(columns.map((column) => String(row[column])));
}

/** Rows of all sources in one order (a provisional window may start before a complete one: sessions). */
function sortServed(spec: ViewSpec, rows: ServedRow[]): ServedRow[] {
  const sourceOf = new Map(rows.map(({ row, source }) => [row, source]));
  return sortRows(spec, [...sourceOf.keys()]).map((row) => ({ row, source: sourceOf.get(row)! }));
}

function keyFilter(keys: Readonly<Record<string, string>> | undefined): (row: ViewRow) => boolean {
  const wanted = Object.entries(keys ?? {});
  return (row) => wanted.every(([column, value]) => String(row[column]) === value);
}
