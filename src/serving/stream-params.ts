/**
 * The requests of the two stream routes, checked once into the views to watch or a client error: unknown
 * view 404 with the list, anything else wrong 400 naming it. Last-Event-ID is what the stream sent as
 * `id`: the complete_through in ms on a view's stream, `view:ms` pairs joined by `,` on /v1/stream.
 */
import { VIEW_NAMES } from '../events/view-catalog.ts';
import { parseLatestQuery, type ClientError } from './query-params.ts';
import type { Watch } from './stream-hub.ts';

type Parsed = { ok: true; watches: Watch[] } | { ok: false; error: ClientError };

const MS = /^-?\d{1,16}$/;

function bad(message: string): { ok: false; error: ClientError } {
  return { ok: false, error: { status: 400, body: { error: 'bad_request', message } } };
}

function unknownView(view: string): { ok: false; error: ClientError } {
  const message = `unknown view ${view}; see GET /v1/views`;
  return { ok: false, error: { status: 404, body: { error: 'unknown_view', message, views: VIEW_NAMES } } };
}

/** GET /v1/views/{view}/stream[?<key column>=value…] */
export function parseViewStream(
  view: string,
  query: Record<string, unknown>,
  lastEventId: string | undefined,
): Parsed {
  if ('format' in query) return bad('format is not a parameter of a stream (events carry JSON)');
  const parsed = parseLatestQuery(view, query);
  if (!parsed.ok) return parsed;
  const watch: Watch = { view: parsed.request.spec.name, keys: parsed.request.keys };
  if (lastEventId !== undefined) {
    if (!MS.test(lastEventId.trim()))
      return bad(`Last-Event-ID ${lastEventId} is not an id of this stream (a complete_through in ms)`);
    watch.resumeFromMs = Number(lastEventId.trim());
  }
  return { ok: true, watches: [watch] };
}

/** GET /v1/stream?views=a,b,c */
export function parseMultiStream(query: Record<string, unknown>, lastEventId: string | undefined): Parsed {
  for (const name of Object.keys(query))
    if (name !== 'views') return bad(`unknown parameter ${name} (the only one is views=a,b,c)`);
  const list = query.views;
  if (typeof list !== 'string' || list.trim() === '')
    return bad('views is required: views=<view>,<view>,… (GET /v1/views lists them)');
  const views = [...new Set(list.split(',').map((view) => view.trim()))];
  for (const view of views) if (!VIEW_NAMES.includes(view)) return unknownView(view);
  const resume = new Map<string, number>();
  for (const pair of (lastEventId ?? '').split(',').filter((part) => part.trim() !== '')) {
    const [view, ms] = pair.trim().split(':');
    if (view === undefined || ms === undefined || !MS.test(ms))
      return bad(`Last-Event-ID ${lastEventId} is not an id of this stream (view:ms pairs joined by ,)`);
    resume.set(view, Number(ms));
  }
  return {
    ok: true,
    watches: views.map((view) => {
      const resumeFromMs = resume.get(view);
      return resumeFromMs === undefined ? { view, keys: {} } : { view, keys: {}, resumeFromMs };
    }),
  };
}
