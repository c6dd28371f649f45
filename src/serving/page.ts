/**
 * Paging by key, not by offset: the cursor carries the sort key (time columns, then keys) of the last
 * row sent, and the next page starts after it. New complete rows (a session that completes late, a
 * batch day that replaces speed rows) then never shift or repeat a page. The cursor is opaque to the
 * client (base64url JSON) and bound to the query it came from, so it cannot be used with another.
 */
import { createHash } from 'node:crypto';
import type { ViewSpec } from '../events/view-catalog.ts';
import { sortColumns } from '../events/view-dump.ts';
import type { ServedRow } from './merged-rows.ts';

type SortKey = (string | number)[];

export interface Page {
  rows: ServedRow[];
  /** Give it as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A short digest of what a query asks (view, range, key filters): a cursor is valid for it only. */
export function queryId(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function sortKeyOf(spec: ViewSpec, served: ServedRow): SortKey {
  return sortColumns(spec).map((column) => {
    const value = served.row[column];
    return typeof value === 'string' || typeof value === 'number' ? value : String(value);
  });
}

/** The order of sortRows (view-dump.ts): strings by code units, everything else as numbers. */
function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x === y) continue;
    if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : 1;
    if (Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
  }
  return 0;
}

export function encodeCursor(id: string, after: SortKey): string {
  return Buffer.from(JSON.stringify({ q: id, after }), 'utf8').toString('base64url');
}

/** The sort key a cursor continues after; an Error (with a message for the client) when it is not ours. */
export function decodeCursor(text: string, id: string, spec: ViewSpec): SortKey | Error {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      q?: unknown;
      after?: unknown;
    };
    const after = parsed.after;
    const valid =
      Array.isArray(after) &&
      after.length === sortColumns(spec).length &&
      after.every((v) => typeof v === 'string' || typeof v === 'number');
    if (!valid) return new Error('cursor is not a cursor of this API');
    if (parsed.q !== id)
      return new Error('cursor belongs to another query (view, from, to or key filters differ)');
    return after as SortKey;
  } catch {
    return new Error('cursor is not a cursor of this API');
  }
}

/** Up to `limit` rows after `after` (from the first without it); rows must be sorted as dumps are. */
export function pageOf(
  spec: ViewSpec,
  rows: readonly ServedRow[],
  options: { limit: number; id: string; after?: SortKey },
): Page {
  const { after } = options;
  const start =
    after === undefined ? 0 : rows.findIndex((row) => compareKeys(sortKeyOf(spec, row), after) > 0);
  const first = start === -1 ? rows.length : start;
  const page = rows.slice(first, first + options.limit);
  const more = first + options.limit < rows.length;
  const nextCursor = more ? encodeCursor(options.id, sortKeyOf(spec, page.at(-1)!)) : null;
  return { rows: page, nextCursor };
}
