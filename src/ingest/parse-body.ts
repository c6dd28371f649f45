/**
 * Splits a request body into events, each with the exact text that goes to Kafka. NDJSON: every
 * non-blank line is one event and its text is the line itself (a trailing `\r` dropped), so values are
 * byte-identical to what the client sent. JSON array: the body is parsed once and each element is
 * re-serialised with JSON.stringify before validation (which rewrites event_time in place); for the
 * compact JSON every client library emits that is the client's own text, otherwise its canonical form.
 */
export type BodyFormat = 'json' | 'ndjson';

/** The largest body the edge reads by default; larger ones get 413 unread. */
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export interface BodyItem {
  /** NDJSON: 1-based line number; JSON: 0-based array index. */
  position: number;
  /** The event's JSON text as it will be produced. */
  text: string;
  /** The parsed value, or undefined when `jsonError` is set. */
  parsed: unknown;
  /** Why the item's text is not JSON (NDJSON lines only). */
  jsonError?: string;
}

export type ParsedBody =
  { ok: true; items: BodyItem[] } | { ok: false; rule: 'empty' | 'json' | 'array'; message: string };

function parseJsonArray(body: string): ParsedBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { ok: false, rule: 'json', message: `body is not JSON (${(error as Error).message})` };
  }
  if (!Array.isArray(parsed)) {
    return {
      ok: false,
      rule: 'array',
      message:
        'an application/json body must be an array of events (use application/x-ndjson for one per line)',
    };
  }
  const items: BodyItem[] = new Array<BodyItem>(parsed.length);
  for (let index = 0; index < parsed.length; index++) {
    const element: unknown = parsed[index];
    // JSON.stringify of undefined cannot happen: JSON.parse yields no undefined elements.
    items[index] = { position: index, text: JSON.stringify(element), parsed: element };
  }
  return { ok: true, items };
}

function parseNdjson(body: string): ParsedBody {
  const items: BodyItem[] = [];
  let start = 0;
  for (let lineNumber = 1; start <= body.length; lineNumber++) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    const text = body.charCodeAt(end - 1) === 13 ? body.slice(start, end - 1) : body.slice(start, end);
    start = end + 1;
    if (text.trim() === '') continue;
    try {
      items.push({ position: lineNumber, text, parsed: JSON.parse(text) });
    } catch (error) {
      items.push({ position: lineNumber, text, parsed: undefined, jsonError: (error as Error).message });
    }
  }
  return { ok: true, items };
}

/** Parses a whole body; `ok: false` only when the body as a whole is unusable (empty, not JSON, not an array). */
export function parseBody(format: BodyFormat, body: string): ParsedBody {
  if (body.trim() === '')
    return { ok: false, rule: 'empty', message: 'body is empty: send at least one event' };
  return format === 'json' ? parseJsonArray(body) : parseNdjson(body);
}
