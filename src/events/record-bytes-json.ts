/**
 * How NDJSON files (record files, dead letters) carry a record's key or value without loss: UTF-8 text
 * as a JSON string; bytes that are not UTF-8 as base64 with `<field>_encoding: "base64"` beside it; no
 * key or value (a tombstone) as null. Files without `_encoding` fields read as before.
 */
import { isUtf8 } from 'node:buffer';
import type { RecordBytes } from './record.ts';

export type BytesField = 'key' | 'value';

/** Sets `field` (and `<field>_encoding` when the bytes are not text) on a JSON object being built. */
export function putRecordBytes(target: Record<string, unknown>, field: BytesField, data: RecordBytes): void {
  if (data instanceof Uint8Array) {
    target[field] = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
    target[`${field}_encoding`] = 'base64';
  } else {
    target[field] = data;
  }
}

/**
 * Reads what putRecordBytes wrote. Throws, naming the field, when it is not of that form (a broken
 * file). Base64 that decodes to UTF-8 comes back as its text, as a reader of the wire would give it.
 */
export function readRecordBytes(source: Record<string, unknown>, field: BytesField): RecordBytes {
  const data = source[field];
  const encoding = source[`${field}_encoding`];
  if (data !== null && typeof data !== 'string') throw new Error(`"${field}" must be a string or null`);
  if (encoding === undefined || encoding === null) return data;
  if (encoding !== 'base64')
    throw new Error(`"${field}_encoding" must be "base64", got ${JSON.stringify(encoding)}`);
  if (data === null) throw new Error(`"${field}" is null but "${field}_encoding" is "base64"`);
  const bytes = Buffer.from(data, 'base64');
  // Node skips characters that are not base64; a file that has any is broken, not short.
  if (bytes.toString('base64') !== data) throw new Error(`"${field}" is not canonical base64`);
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}
