/**
 * One NDJSON line → its JSON value, cheapest check first: its size in bytes (before anything decodes or
 * parses a line of any length), UTF-8 (the line goes to Kafka as these very bytes, so they must be the
 * text the contract speaks of), nesting depth (see json-depth.ts), then JSON.parse.
 */
import { isUtf8 } from 'node:buffer';
import { MAX_VALUE_BYTES } from '../events/topics.ts';
import { describeInvalidUtf8, firstInvalidUtf8Offset } from '../events/utf8.ts';
import { depthOverflowOffset, MAX_EVENT_DEPTH } from './json-depth.ts';

/** Why an event's bytes were not parsed: the rule, and what the message says after `(value): `. */
export interface Unreadable {
  rule: 'max-size' | 'utf8' | 'depth' | 'json';
  detail: string;
}

export type ParsedLine = { parsed: unknown } | { unreadable: Unreadable };

/** The size rule of docs/contract/events.md, on bytes. Also used for re-serialised array elements. */
export function oversize(bytes: Uint8Array): Unreadable | undefined {
  if (bytes.length <= MAX_VALUE_BYTES) return undefined;
  return { rule: 'max-size', detail: `is ${bytes.length} bytes, over the ${MAX_VALUE_BYTES}-byte limit` };
}

function unreadableBytes(line: Buffer): Unreadable | undefined {
  const tooLarge = oversize(line);
  if (tooLarge !== undefined) return tooLarge;
  // isUtf8 (simdutf) is the fast yes/no; the byte-by-byte scan runs only to name the bad byte.
  if (!isUtf8(line)) return { rule: 'utf8', detail: describeInvalidUtf8(line, firstInvalidUtf8Offset(line)) };
  const tooDeep = depthOverflowOffset(line, MAX_EVENT_DEPTH);
  if (tooDeep === null) return undefined;
  return {
    rule: 'depth',
    detail: `nests deeper than the ${MAX_EVENT_DEPTH}-level nesting limit (byte offset ${tooDeep})`,
  };
}

export function parseEventLine(line: Buffer): ParsedLine {
  const unreadable = unreadableBytes(line);
  if (unreadable !== undefined) return { unreadable };
  try {
    return { parsed: JSON.parse(line.toString('utf8')) };
  } catch (error) {
    return { unreadable: { rule: 'json', detail: `is not JSON (${(error as Error).message})` } };
  }
}
