/**
 * How deep JSON nests, counted on the bytes before anything parses them. JSON.parse copes with any depth,
 * but what runs on its result later (JSON.stringify, the contract's validator, error messages) recurses
 * and overflows the stack: a 100,000-deep array used to answer 500. Events are flat (the deepest, a
 * string array such as profile_updated.fields, nests 2 levels), so the limit is generous.
 */

/** An event may nest this many levels: the event object is 1, an array inside it 2... */
export const MAX_EVENT_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Offset of the first `[` or `{` that opens level `maxDepth + 1`, or null when nothing nests that deep.
 * Brackets inside strings do not count. Exact for valid JSON; for anything else JSON.parse fails anyway.
 */
export function depthOverflowOffset(bytes: Uint8Array, maxDepth: number): number | null {
  let depth = 0;
  let inString = false;
  for (let offset = 0; offset < bytes.length; offset++) {
    const byte = bytes[offset]!;
    if (inString) {
      if (byte === BACKSLASH)
        offset++; // the escaped byte cannot end the string
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return offset;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return null;
}
