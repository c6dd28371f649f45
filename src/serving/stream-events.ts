/**
 * The bytes of the live-update protocol (docs/serving.md "Live updates"): `final` events (the complete
 * rows of windows that completed since the previous one, with the complete_through they are complete
 * through as the id) and `provisional` events (rows that may still change, no id). Rows are rendered
 * as in the JSON answer of GET /v1/views/{view}: ISO timestamps, then `source` and `is_final`.
 */
import { viewSpec, type ViewSpec } from '../events/view-catalog.ts';
import { formatRow, type ViewRow } from '../events/view-dump.ts';
import { isoOrNull } from './render-rows.ts';
import { windowOf } from './view-windows.ts';

export type StreamSource = 'batch' | 'speed' | 'provisional';

const servedSpecs = new Map<string, ViewSpec>();

function servedSpec(view: string): ViewSpec {
  let spec = servedSpecs.get(view);
  if (spec === undefined) {
    const base = viewSpec(view);
    const extra = [
      { name: 'source', type: 'string' as const },
      { name: 'is_final', type: 'boolean' as const },
    ];
    spec = { ...base, columns: [...base.columns, ...extra] };
    servedSpecs.set(view, spec);
  }
  return spec;
}

/** One row as JSON text, labelled with where it came from and whether it can still change. */
export function rowJson(view: string, row: ViewRow, source: StreamSource): string {
  return formatRow(servedSpec(view), { ...row, source, is_final: source !== 'provisional' });
}

/**
 * When a row is complete (docs/contract/semantics.md "Finality"): once complete_through reaches its
 * window end (plus the join bound of join views), or its session end.
 */
export function completeAtMs(view: string, row: ViewRow): number {
  const endColumn = viewSpec(view).columns[1]!.name;
  return Number(row[endColumn]) + (windowOf(view).join_bound_ms ?? 0);
}

/** SSE data lines: a JSON text has no raw newlines, so one `data:` line holds it. */
function event(name: string, id: string | undefined, data: string): string {
  return `event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}data: ${data}\n\n`;
}

export function finalEvent(
  view: string,
  completeThroughMs: number,
  rows: readonly string[],
  id: string,
): string {
  const head = JSON.stringify({ view, complete_through: isoOrNull(completeThroughMs) });
  return event('final', id, `${head.slice(0, -1)},"rows":[${rows.join(',')}]}`);
}

export function provisionalEvent(view: string, asOfMs: number | null, rows: readonly string[]): string {
  const head = JSON.stringify({ view, as_of: isoOrNull(asOfMs) });
  return event('provisional', undefined, `${head.slice(0, -1)},"rows":[${rows.join(',')}]}`);
}

export const KEEP_ALIVE = ': keep-alive\n\n';
