/**
 * Rejected records (docs/contract/semantics.md "Acceptance") as NDJSON under `dead_letter/<topic>/date=YYYY-MM-DD/`,
 * one file per topic and date of the record timestamp per commit, published with the commit's view files
 * so a redo after a crash rewrites the same keys instead of adding duplicates. NDJSON rather than Parquet:
 * the files are greppable and `jq`-able by whoever investigates bad producers, and DuckDB still reads them
 * (`read_json`); the volume is small. Key and value are kept as received, losslessly: text as a JSON
 * string, bytes that are not UTF-8 as base64 with `key_encoding`/`value_encoding: "base64"`, a null key
 * or a tombstone as null (src/events/record-bytes-json.ts).
 */
import type { RecordBytes, RejectReason } from '../../events/record.ts';
import { putRecordBytes, readRecordBytes } from '../../events/record-bytes-json.ts';
import {
  DEFAULT_LAYOUT,
  deadLetterDateDir,
  utcDate,
  type OutputFile,
  type StorageLayout,
} from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';

/** One rejected record as the dead-letter store keeps it: where it came from, why, and its raw key and value. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  /** Record (broker) timestamp, epoch ms. */
  timestamp: number;
  reason: RejectReason;
  /** Why, for people: e.g. the validation path and rule, or the watermark a late record missed. */
  message: string;
  /** The message key as received: its text, its bytes when they are not UTF-8, or null. */
  key: RecordBytes;
  /** The record value as received: its text, its bytes when they are not UTF-8, or null (a tombstone). */
  value: RecordBytes;
}

const HEAD_FIELDS = ['topic', 'partition', 'offset', 'timestamp', 'reason', 'message'] as const;

/**
 * One NDJSON line: the fields in the order of docs/storage.md, key and value in their JSON form, then
 * any other field a reader found (the HTTP edge's dead letters carry `source`, `request_id`, …).
 */
export function deadLetterLine(letter: DeadLetter): string {
  const ordered: Record<string, unknown> = {};
  for (const field of HEAD_FIELDS) ordered[field] = letter[field];
  putRecordBytes(ordered, 'key', letter.key);
  putRecordBytes(ordered, 'value', letter.value);
  for (const [field, value] of Object.entries(letter)) if (!(field in ordered)) ordered[field] = value;
  return JSON.stringify(ordered);
}

/** A stored line back as a DeadLetter, key and value decoded; other fields are kept as they are. */
export function parseDeadLetterLine(line: string): DeadLetter {
  const fields = JSON.parse(line) as Record<string, unknown>;
  const key = readRecordBytes(fields, 'key');
  const value = readRecordBytes(fields, 'value');
  delete fields.key_encoding;
  delete fields.value_encoding;
  return { ...fields, key, value } as unknown as DeadLetter;
}

/** A dead-letter object stays below this (S3 single-put comfort, and an operator's editor); a single larger record gets one of its own. */
export const DEAD_LETTER_FILE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Groups rejections by topic and UTC date of the record timestamp; files keep the given order. A group
 * larger than `maxFileBytes` is split: `<job>-<N>.ndjson`, then `<job>-<N>.p0001.ndjson`, `.p0002…`
 * (names that list in part order).
 */
export function deadLetterOutputFiles(
  rejections: readonly DeadLetter[],
  layout: StorageLayout = DEFAULT_LAYOUT,
  maxFileBytes = DEAD_LETTER_FILE_LIMIT_BYTES,
): OutputFile[] {
  const linesByDir = new Map<string, string[]>();
  for (const rejection of rejections) {
    const dir = deadLetterDateDir(layout, rejection.topic, utcDate(rejection.timestamp));
    const lines = linesByDir.get(dir);
    if (lines === undefined) linesByDir.set(dir, [deadLetterLine(rejection)]);
    else lines.push(deadLetterLine(rejection));
  }
  const files: OutputFile[] = [];
  for (const [dir, lines] of linesByDir) {
    let part: string[] = [];
    let bytes = 0;
    const flush = (): void => {
      const index = files.filter((file) => file.dir === dir).length;
      const body = Buffer.from(`${part.join('\n')}\n`, 'utf8');
      const extension = index === 0 ? 'ndjson' : `p${String(index).padStart(4, '0')}.ndjson`;
      files.push({ dir, extension, body });
      part = [];
      bytes = 0;
    };
    for (const text of lines) {
      const size = Buffer.byteLength(text, 'utf8') + 1;
      if (part.length > 0 && bytes + size > maxFileBytes) flush();
      part.push(text);
      bytes += size;
    }
    flush();
  }
  return files;
}

/** Every rejection stored under `prefix` (e.g. `dead_letter/` or `dead_letter/lms.auth/`), file by file. */
export async function readDeadLetters(
  store: ObjectStore,
  prefix: string,
  wanted: (key: string) => boolean = () => true,
): Promise<DeadLetter[]> {
  const rejections: DeadLetter[] = [];
  for (const key of await store.list(prefix)) {
    if (!key.endsWith('.ndjson') || !wanted(key)) continue;
    const body = await store.get(key);
    if (body === undefined) continue; // deleted between list and get
    for (const text of body.toString('utf8').split('\n')) {
      if (text !== '') rejections.push(parseDeadLetterLine(text));
    }
  }
  return rejections;
}
