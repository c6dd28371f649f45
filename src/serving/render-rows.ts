/**
 * An answer's bytes. Every row is the view's catalog columns (as in a dump: ISO timestamps) plus
 * `source` (batch | speed | provisional) and `is_final` (false for provisional rows only). `json` wraps the rows with the boundary, completeness and
 * paging; `ndjson` and `csv` (the `query` command's CSV) are the rows alone, the rest in headers.
 */
import type { ViewSpec } from '../events/view-catalog.ts';
import { formatRow, type ViewRow } from '../events/view-dump.ts';
import { formatCsvLines } from '../processor/query/format-rows.ts';
import type { ServedRow } from './merged-rows.ts';
import type { RowFormat } from './query-params.ts';

export interface AnswerMeta {
  view: string;
  from?: number;
  to?: number;
  boundaryMs: number | null;
  completeThroughMs: number;
  /** When the newest provisional value was taken (the JSON answer's `provisional_as_of`). */
  provisionalAsOfMs?: number | null;
  page?: { limit: number; nextCursor: string | null };
}

export interface Rendered {
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

/** ISO-8601, or null for "not yet" (no boundary, no completion). */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function servedSpec(spec: ViewSpec): ViewSpec {
  const extra = [
    { name: 'source', type: 'string' as const },
    { name: 'is_final', type: 'boolean' as const },
  ];
  return { ...spec, columns: [...spec.columns, ...extra] };
}

function servedRows(rows: readonly ServedRow[]): ViewRow[] {
  return rows.map(({ row, source }) => ({ ...row, source, is_final: source !== 'provisional' }));
}

export function renderRows(
  format: RowFormat,
  spec: ViewSpec,
  rows: readonly ServedRow[],
  meta: AnswerMeta,
): Rendered {
  const served = servedSpec(spec);
  const plain = servedRows(rows);
  const headers: Record<string, string> = {
    'x-boundary': isoOrNull(meta.boundaryMs) ?? 'none',
    'x-complete-through': isoOrNull(meta.completeThroughMs) ?? 'none',
  };
  if (meta.page?.nextCursor != null) headers['x-next-cursor'] = meta.page.nextCursor;
  if (format === 'csv') {
    const lines = formatCsvLines(served, plain);
    return { contentType: 'text/csv; charset=utf-8', body: `${lines.join('\r\n')}\r\n`, headers };
  }
  const lines = plain.map((row) => formatRow(served, row));
  if (format === 'ndjson') {
    const body = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    return { contentType: 'application/x-ndjson; charset=utf-8', body, headers };
  }
  const head = {
    view: meta.view,
    ...(meta.from === undefined ? {} : { from: isoOrNull(meta.from), to: isoOrNull(meta.to) }),
    boundary: isoOrNull(meta.boundaryMs),
    complete_through: isoOrNull(meta.completeThroughMs),
    provisional_as_of: isoOrNull(meta.provisionalAsOfMs),
  };
  const page =
    meta.page === undefined
      ? ''
      : `,"page":${JSON.stringify({ limit: meta.page.limit, returned: rows.length, next_cursor: meta.page.nextCursor })}`;
  const body = `${JSON.stringify(head).slice(0, -1)},"rows":[${lines.join(',')}]${page}}`;
  return { contentType: 'application/json; charset=utf-8', body, headers };
}
