/**
 * The query string of `/v1/views/{view}` and `/latest`, checked once into a request or a client error
 * (data, not an exception): unknown view 404 with the list of views, anything else wrong 400 with a
 * message saying what and what is allowed.
 */
import { VIEW_NAMES, viewSpec, type ViewSpec } from '../events/view-catalog.ts';

export const ROW_FORMATS = ['json', 'csv', 'ndjson'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10_000;

export interface RowsRequest {
  spec: ViewSpec;
  fromMs: number;
  toMs: number;
  keys: Record<string, string>;
  limit: number;
  cursor?: string;
  format: RowFormat;
}

export type LatestRequest = Pick<RowsRequest, 'spec' | 'keys' | 'format'>;

export interface ClientError {
  status: 400 | 404;
  body: { error: string; message: string; views?: readonly string[] };
}

type Parsed<T> = { ok: true; request: T } | { ok: false; error: ClientError };

/** ISO-8601 with a zone (or a bare date, UTC midnight): a time without a zone would mean the server's. */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function bad(message: string): { ok: false; error: ClientError } {
  return { ok: false, error: { status: 400, body: { error: 'bad_request', message } } };
}

function parseTime(name: string, text: string | undefined): number | string {
  if (text === undefined) return `${name} is required (ISO-8601, e.g. 2025-01-06T08:00:00Z)`;
  const ms = ISO.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(ms)
    ? `${name}=${text} is not an ISO-8601 time with a zone (e.g. 2025-01-06T08:00:00Z)`
    : ms;
}

/** The view and the parameters every route shares: key filters and the format. */
function common(
  viewName: string,
  query: Record<string, unknown>,
  own: readonly string[],
): Parsed<LatestRequest & { values: Record<string, string> }> {
  if (!VIEW_NAMES.includes(viewName)) {
    const message = `unknown view ${viewName}; see GET /v1/views`;
    return { ok: false, error: { status: 404, body: { error: 'unknown_view', message, views: VIEW_NAMES } } };
  }
  const spec = viewSpec(viewName);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') return bad(`${name} is given more than once`);
    values[name] = value;
  }
  const keys: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (own.includes(name) || name === 'format') continue;
    if (!spec.keys.includes(name)) {
      const allowed =
        spec.keys.length === 0 ? 'it has no key columns' : `its key columns: ${spec.keys.join(', ')}`;
      return bad(`unknown parameter ${name} for ${spec.name} (${allowed})`);
    }
    keys[name] = value;
  }
  const format = values.format ?? 'json';
  if (!(ROW_FORMATS as readonly string[]).includes(format))
    return bad(`format=${format}: choose ${ROW_FORMATS.join(', ')}`);
  return { ok: true, request: { spec, keys, format: format as RowFormat, values } };
}

export function parseRowsQuery(viewName: string, query: Record<string, unknown>): Parsed<RowsRequest> {
  const parsed = common(viewName, query, ['from', 'to', 'limit', 'cursor']);
  if (!parsed.ok) return parsed;
  const { values, ...shared } = parsed.request;
  const fromMs = parseTime('from', values.from);
  if (typeof fromMs === 'string') return bad(fromMs);
  const toMs = parseTime('to', values.to);
  if (typeof toMs === 'string') return bad(toMs);
  if (fromMs >= toMs) return bad(`from (${values.from}) must be before to (${values.to})`);
  const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
  if (!/^\d+$/.test(values.limit ?? '1') || limit < 1 || limit > MAX_LIMIT)
    return bad(`limit=${values.limit} must be a whole number from 1 to ${MAX_LIMIT}`);
  const request: RowsRequest = { ...shared, fromMs, toMs, limit };
  if (values.cursor !== undefined) request.cursor = values.cursor;
  return { ok: true, request };
}

export function parseLatestQuery(viewName: string, query: Record<string, unknown>): Parsed<LatestRequest> {
  const parsed = common(viewName, query, []);
  if (!parsed.ok) return parsed;
  const { values: _values, ...request } = parsed.request;
  return { ok: true, request };
}
