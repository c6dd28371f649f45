/**
 * When an answer may be revalidated with an ETag (304 Not Modified): when it lies wholly in the batch
 * days or wholly in the complete past, its rows change only if a batch day is computed again (late
 * records) or replaces speed rows. The tag is a digest of the rows themselves (not of the boundary or
 * complete_through, which move on), so such a change gives a new tag; it is weak because gzip may
 * change the bytes.
 */
import { createHash } from 'node:crypto';
import type { ViewSpec } from '../events/view-catalog.ts';
import { formatRow } from '../events/view-dump.ts';
import type { MergedAnswer, ServedRow } from './merged-rows.ts';
import { completionTailMs } from './view-windows.ts';

export function settledAnswer(answer: MergedAnswer, range: { fromMs: number; toMs: number }): boolean {
  const inBatch =
    answer.batchFromMs !== null &&
    answer.boundaryMs !== null &&
    range.fromMs >= answer.batchFromMs &&
    range.toMs <= answer.boundaryMs;
  // A window starting before `to` completes by `to + tail`; sessions have no tail (Infinity).
  return inBatch || range.toMs + completionTailMs(answer.view) <= answer.completeThroughMs;
}

export function rowsEtag(spec: ViewSpec, parts: readonly unknown[], rows: readonly ServedRow[]): string {
  const hash = createHash('sha256').update(JSON.stringify(parts));
  for (const { row, source } of rows) hash.update(`${source} ${formatRow(spec, row)}\n`);
  return `W/"${hash.digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header names `etag` (a list, or `*`; weak comparison). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}
