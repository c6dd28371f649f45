/**
 * Rejected records (docs/contract/semantics.md "Acceptance") as NDJSON under `dead_letter/<topic>/date=YYYY-MM-DD/`,
 * one file per topic and date of the record timestamp per commit, published with the commit's view files
 * so a redo after a crash rewrites the same keys instead of adding duplicates. NDJSON rather than Parquet:
 * the raw value is kept byte for byte as a JSON string, the files are greppable and `jq`-able by whoever
 * investigates bad producers, and DuckDB still reads them (`read_json`); the volume is small.
 */
import type { RejectReason } from '../../events/record.ts';
import {
  DEFAULT_LAYOUT,
  deadLetterDateDir,
  utcDate,
  type OutputFile,
  type StorageLayout,
} from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';

/** One rejected record as the dead-letter store keeps it: where it came from, why, and its raw value. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  /** Record (broker) timestamp, epoch ms. */
  timestamp: number;
  reason: RejectReason;
  /** Why, for people: e.g. the validation path and rule, or the watermark a late record missed. */
  message: string;
  key: string | null;
  /** The record value exactly as received (UTF-8 decoded). */
  value: string;
}

const FIELDS = ['topic', 'partition', 'offset', 'timestamp', 'reason', 'message', 'key', 'value'] as const;

function line(rejection: DeadLetter): string {
  const ordered: Record<string, unknown> = {};
  for (const field of FIELDS) ordered[field] = rejection[field];
  return JSON.stringify(ordered);
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
    if (lines === undefined) linesByDir.set(dir, [line(rejection)]);
    else lines.push(line(rejection));
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
      if (text !== '') rejections.push(JSON.parse(text) as DeadLetter);
    }
  }
  return rejections;
}
