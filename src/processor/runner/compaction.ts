/**
 * Compaction of closed dates (docs/storage.md "Compaction"): once completeness is a grace period past the
 * end of a UTC day, the files of that date take no new rows, so they are merged — a view's into one file,
 * the raw archive's and the dead letters' small files into files of up to `MERGED_FILE_BYTES` (as Delta's
 * OPTIMIZE bin-packs). The merge is planned as a completion of its own (no new rows, the same
 * completedThrough), so the completion log's conditional put decides who does it, and whoever reads the
 * record finishes it (runner/closed-date-compactor.ts).
 */
import type { CompactionPlan, CompactionTree } from '../io/completion-log.ts';
import { extensionOf, fileMerger, type FileMerger } from '../io/file-mergers.ts';
import { padCommit, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { ParquetRow } from '../../storage/parquet-columns.ts';

/** Completeness must be this far past a day's end before its files are merged (late sessions end there). */
export const COMPACTION_GRACE_MS = 3_600_000;
/** Merged files per completion record at most (a long backlog is compacted over several). */
export const COMPACTIONS_PER_RECORD = 25;
/** Bytes read per completion record at most: what one merge holds in memory stays bounded. */
export const COMPACTION_BYTES_PER_RECORD = 128 * 1024 * 1024;
/** A record-tree file reaches about this size by merging; bigger files are left as they are. */
export const MERGED_FILE_BYTES = 64 * 1024 * 1024;
/** Raw archive files from this size on are not merged (busy topics: a minute is already megabytes). */
export const SMALL_ARCHIVE_FILE_BYTES = 8 * 1024 * 1024;

/** The files of one closed date of one table (sizes where known: dead letters are listed without). */
export interface CompactionCandidate {
  tree: CompactionTree;
  table: string;
  date: string;
  files: { key: string; bytes?: number }[];
}

/** A planned merge with the merged file's bytes and, for views, its rows (for the Delta stats). */
export interface PlannedCompaction {
  plan: CompactionPlan;
  body: Buffer;
  rows?: readonly ParquetRow[];
}

export interface CompactionRound {
  planned: PlannedCompaction[];
  /** Some candidates were left for the next record (the per-record limits). */
  more: boolean;
}

export interface CompactionLimits {
  filesPerRecord: number;
  bytesPerRecord: number;
  mergedFileBytes: number;
}

const DEFAULT_LIMITS: CompactionLimits = {
  filesPerRecord: COMPACTIONS_PER_RECORD,
  bytesPerRecord: COMPACTION_BYTES_PER_RECORD,
  mergedFileBytes: MERGED_FILE_BYTES,
};

/** Where the merged files of a tree's table and date go. */
function dateDir(layout: StorageLayout, tree: CompactionTree, table: string, date: string): string {
  const prefix =
    tree === 'raw' ? layout.rawPrefix : tree === 'dead_letter' ? layout.deadLetterPrefix : layout.viewsPrefix;
  return `${prefix}${table}/date=${date}`;
}

/**
 * Reads the candidates' files in order and merges them: a view date into one file, record-tree dates into
 * bins of up to MERGED_FILE_BYTES (a bin of one file is left alone). Stops at the per-record limits.
 */
export async function planCompactions(
  store: ObjectStore,
  candidates: readonly CompactionCandidate[],
  naming: { layout: StorageLayout; job: string; completion: number },
  limits: CompactionLimits = DEFAULT_LIMITS,
): Promise<CompactionRound> {
  const planned: PlannedCompaction[] = [];
  let bytesRead = 0;
  const full = (): boolean => planned.length >= limits.filesPerRecord || bytesRead >= limits.bytesPerRecord;
  for (const { tree, table, date, files } of candidates) {
    if (full()) return { planned, more: true };
    const binBytes = tree === 'views' ? Infinity : limits.mergedFileBytes;
    const dir = dateDir(naming.layout, tree, table, date);
    let bin: { merger: FileMerger; replaced: string[]; bytes: number } | undefined;
    const close = (): void => {
      if (bin !== undefined && bin.replaced.length >= 2) {
        const part = planned.filter((done) => done.plan.merged.startsWith(`${dir}/`)).length;
        const suffix = part === 0 ? '' : `.p${String(part).padStart(4, '0')}`;
        const merged = `${dir}/compacted-${naming.job}-${padCommit(naming.completion)}${suffix}.${extensionOf(tree)}`;
        planned.push({
          plan: { tree, view: table, date, replaced: bin.replaced, merged },
          ...bin.merger.finish(),
        });
      }
      bin = undefined;
    };
    let cut = false;
    for (const { key } of files) {
      if (full()) {
        cut = true;
        break;
      }
      const body = await store.get(key);
      if (body === undefined) throw new Error(`compaction of ${dir}: ${key} is missing`);
      bytesRead += body.byteLength;
      if (bin !== undefined && bin.bytes + body.byteLength > binBytes) close();
      bin ??= { merger: fileMerger(tree, table), replaced: [], bytes: 0 };
      await bin.merger.add(body);
      bin.replaced.push(key);
      bin.bytes += body.byteLength;
    }
    close();
    if (cut) return { planned, more: true };
  }
  return { planned, more: false };
}
