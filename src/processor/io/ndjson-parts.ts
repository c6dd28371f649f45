/**
 * NDJSON lines packed into objects of at most `maxFileBytes` (S3 single-put comfort, and an operator's
 * editor); a single larger line gets an object of its own. The first part is `<name>.ndjson`, the next
 * `<name>.p0001.ndjson`, `.p0002…`: names that list in part order.
 */
import type { OutputFile } from '../../storage/layout.ts';

/** A dead-letter or archive object stays below this. */
export const NDJSON_FILE_LIMIT_BYTES = 64 * 1024 * 1024;

/** `lines` (each without its newline) as parts of one directory, in order. */
export function ndjsonParts(
  dir: string,
  lines: readonly Uint8Array[],
  maxFileBytes = NDJSON_FILE_LIMIT_BYTES,
): OutputFile[] {
  const files: OutputFile[] = [];
  let part: Uint8Array[] = [];
  let bytes = 0;
  const flush = (): void => {
    const index = files.length;
    const extension = index === 0 ? 'ndjson' : `p${String(index).padStart(4, '0')}.ndjson`;
    files.push({ dir, extension, body: Buffer.concat(part.flatMap((line) => [line, NEWLINE])) });
    part = [];
    bytes = 0;
  };
  for (const line of lines) {
    if (part.length > 0 && bytes + line.byteLength + 1 > maxFileBytes) flush();
    part.push(line);
    bytes += line.byteLength + 1;
  }
  if (part.length > 0) flush();
  return files;
}

const NEWLINE = Buffer.from('\n');

/** The non-empty lines of an NDJSON body, as views of its bytes (no copy). */
export function ndjsonLines(body: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let end = body.indexOf(0x0a); end >= 0; end = body.indexOf(0x0a, start)) {
    if (end > start) lines.push(body.subarray(start, end));
    start = end + 1;
  }
  if (start < body.byteLength) lines.push(body.subarray(start));
  return lines;
}
