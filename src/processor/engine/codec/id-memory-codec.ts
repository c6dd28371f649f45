/**
 * The duplicate memory (event_id → event time) in binary: count, then per id a varuint head — 0 for a
 * lowercase canonical UUID stored as 16 raw bytes, otherwise the UTF-8 byte length + 1 followed by the
 * bytes — and the time as a zigzag delta from the previous id's time (ids come in acceptance order, so
 * the deltas are small). Any other spelling of a UUID (upper case, braces) stays a string: ids must
 * come back byte for byte.
 */
import type { ByteReader, ByteWriter } from './byte-buffer.ts';

const UUID_CHARS = 36;
const UUID_BYTES = 16;
const HEX_DIGITS = '0123456789abcdef';
const DASH = 0x2d;

function isDashAt(index: number): boolean {
  return index === 8 || index === 13 || index === 18 || index === 23;
}

/** Value of a lowercase hex digit char code, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

const uuidScratch = Buffer.alloc(UUID_BYTES);
const textScratch = Buffer.alloc(UUID_CHARS);

/** Fills `uuidScratch` and returns true when `id` is a lowercase 8-4-4-4-12 UUID. */
function parseUuid(id: string): boolean {
  if (id.length !== UUID_CHARS) return false;
  let byte = 0;
  for (let index = 0; index < UUID_CHARS; index++) {
    const code = id.charCodeAt(index);
    if (isDashAt(index)) {
      if (code !== DASH) return false;
      continue;
    }
    const high = hexValue(code);
    const low = hexValue(id.charCodeAt(++index));
    if (high < 0 || low < 0) return false;
    uuidScratch[byte++] = high * 16 + low;
  }
  return true;
}

const HEX_CODES = Buffer.from(HEX_DIGITS, 'latin1');

function formatUuid(bytes: Buffer, from: number): string {
  let at = 0;
  for (let byte = 0; byte < UUID_BYTES; byte++) {
    if (at === 8 || at === 13 || at === 18 || at === 23) textScratch[at++] = DASH;
    const value = bytes[from + byte]!;
    textScratch[at++] = HEX_CODES[value >> 4]!;
    textScratch[at++] = HEX_CODES[value & 15]!;
  }
  return textScratch.toString('latin1');
}

/** Writes `count` entries of `ids` (the iterable must yield exactly that many). */
export function writeIdMemory(
  writer: ByteWriter,
  ids: Iterable<readonly [string, number]>,
  count: number,
): void {
  writer.varuint(count);
  let previousMs = 0;
  let written = 0;
  for (const [id, timeMs] of ids) {
    if (parseUuid(id)) {
      writer.varuint(0);
      writer.raw(uuidScratch);
    } else {
      const before = writer.length;
      writer.string(id);
      // writer.string wrote "byteLength, bytes"; rewrite the head as byteLength + 1 (ids are <= 64 chars,
      // so both heads fit one byte unless the id is long UTF-8: then take the slow, exact route).
      const view = writer.view();
      if (view[before]! < 0x7f) view[before] = view[before]! + 1;
      else {
        writer.length = before;
        const bytes = Buffer.from(id, 'utf8');
        writer.varuint(bytes.length + 1);
        writer.raw(bytes);
      }
    }
    writer.varint(timeMs - previousMs);
    previousMs = timeMs;
    written++;
  }
  if (written !== count) throw new Error(`id memory: expected ${count} ids, iterated ${written}`);
}

/** Reads the entries into `into` in order (a later entry for the same id replaces an earlier one). */
export function readIdMemory(reader: ByteReader, into: Map<string, number>): void {
  const count = reader.varuint();
  let previousMs = 0;
  for (let index = 0; index < count; index++) {
    const head = reader.varuint();
    const id = head === 0 ? formatUuid(reader.source, reader.skip(UUID_BYTES)) : reader.utf8(head - 1);
    previousMs += reader.varint();
    into.set(id, previousMs);
  }
}
