/**
 * Splits a request body into events, each with the exact bytes that go to Kafka. NDJSON: every
 * non-blank line is one event and its bytes are the line's (a trailing `\r` dropped), cut at 0x0A, a
 * byte UTF-8 never uses inside a character, so values are byte-identical to what the client sent; each
 * line is checked on its own (parse-event-line.ts). JSON array: the body must be UTF-8 and nest no
 * deeper than an event may, plus the array; it is parsed once and each element re-serialised with
 * JSON.stringify before validation (which rewrites event_time in place); for the compact JSON every
 * client library emits that is the client's own text, otherwise its canonical form.
 */
import { isUtf8 } from 'node:buffer';
import { describeInvalidUtf8, firstInvalidUtf8Offset } from '../events/utf8.ts';
import { depthOverflowOffset, MAX_EVENT_DEPTH } from './json-depth.ts';
import { oversize, parseEventLine, type Unreadable } from './parse-event-line.ts';

export type BodyFormat = 'json' | 'ndjson';

/** The largest body the edge reads by default (after gunzip); larger ones get 413. */
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export interface BodyItem {
  /** NDJSON: 1-based line number; JSON: 0-based array index. */
  position: number;
  /** The event's bytes as they will be produced. */
  bytes: Buffer;
  /** The parsed value; undefined when `unreadable` is set. */
  parsed: unknown;
  /** Why the bytes were not parsed (size, UTF-8, depth, JSON). */
  unreadable?: Unreadable;
}

export type ParsedBody =
  | { ok: true; items: BodyItem[] }
  | { ok: false; rule: 'empty' | 'utf8' | 'depth' | 'json' | 'array'; message: string };

const LF = 0x0a;
const CR = 0x0d;

/** Only JSON whitespace (space, tab, CR, LF): nothing to keep. */
function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0x20 || byte === 0x09 || byte === CR || byte === LF);
}

function parseJsonArray(body: Buffer): ParsedBody {
  if (!isUtf8(body)) {
    const message = `body ${describeInvalidUtf8(body, firstInvalidUtf8Offset(body))}`;
    return { ok: false, rule: 'utf8', message };
  }
  const tooDeep = depthOverflowOffset(body, MAX_EVENT_DEPTH + 1); // the array around the events is a level
  if (tooDeep !== null) {
    const message = `body: an event nests deeper than the ${MAX_EVENT_DEPTH}-level nesting limit (byte offset ${tooDeep})`;
    return { ok: false, rule: 'depth', message };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
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
    const bytes = Buffer.from(JSON.stringify(element), 'utf8');
    const unreadable = oversize(bytes);
    items[index] =
      unreadable === undefined
        ? { position: index, bytes, parsed: element }
        : { position: index, bytes, parsed: undefined, unreadable };
  }
  return { ok: true, items };
}

function parseNdjson(body: Buffer): ParsedBody {
  const items: BodyItem[] = [];
  let start = 0;
  for (let lineNumber = 1; start <= body.length; lineNumber++) {
    let end = body.indexOf(LF, start);
    if (end === -1) end = body.length;
    const bytes = body.subarray(start, end > start && body[end - 1] === CR ? end - 1 : end);
    start = end + 1;
    if (isBlank(bytes)) continue;
    const line = parseEventLine(bytes);
    items.push(
      'unreadable' in line
        ? { position: lineNumber, bytes, parsed: undefined, unreadable: line.unreadable }
        : { position: lineNumber, bytes, parsed: line.parsed },
    );
  }
  return { ok: true, items };
}

/** Parses a whole body; `ok: false` only when the body as a whole is unusable. */
export function parseBody(format: BodyFormat, body: Buffer): ParsedBody {
  if (isBlank(body)) return { ok: false, rule: 'empty', message: 'body is empty: send at least one event' };
  return format === 'json' ? parseJsonArray(body) : parseNdjson(body);
}
