/**
 * Compaction of closed dates (docs/storage.md "Compaction"): once completeness is a grace period past the
 * end of a UTC day, a view's files of that date take no new rows, so they are merged into one file. The
 * merge is planned as a completion of its own (no new rows, the same completedThrough), so the completion
 * log's conditional put decides who does it, and whoever reads the record finishes it: the merged file
 * is copied like any completion file, the view's Delta table swaps the files in one version, then the
 * replaced files are deleted.
 */
import { viewSpec } from '../../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../../events/view-dump.ts';
import type { CompactionPlan } from '../io/completion-log.ts';
import { padCommit } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { ParquetColumn } from '../../storage/parquet-columns.ts';
import { readParquet } from '../../storage/parquet-reader.ts';
import { writeParquet } from '../../storage/parquet-writer.ts';

/** Completeness must be this far past a day's end before its files are merged (late sessions end there). */
export const COMPACTION_GRACE_MS = 3_600_000;
/** Dates merged per completion record at most (a long backlog is compacted over several). */
export const COMPACTIONS_PER_RECORD = 25;

/** A planned merge with the merged file's bytes and rows (for the Delta stats). */
export interface PlannedCompaction {
  plan: CompactionPlan;
  body: Buffer;
  rows: ViewRow[];
}

/** Reads the files of each candidate date and writes their rows, in dump order, into one file. */
export async function planCompactions(
  store: ObjectStore,
  candidates: readonly { view: string; date: string; replaced: string[] }[],
  naming: { viewsPrefix: string; job: string; completion: number },
): Promise<PlannedCompaction[]> {
  const planned: PlannedCompaction[] = [];
  for (const { view, date, replaced } of candidates.slice(0, COMPACTIONS_PER_RECORD)) {
    const spec = viewSpec(view);
    const rows: ViewRow[] = [];
    for (const key of replaced) {
      const bytes = await store.get(key);
      if (bytes === undefined) throw new Error(`compaction of ${view} date=${date}: ${key} is missing`);
      rows.push(...((await readParquet(bytes)).rows as ViewRow[]));
    }
    const columns: ParquetColumn[] = spec.columns.map(({ name, type }) => ({ name, type }));
    const sorted = sortRows(spec, rows);
    const merged = `${naming.viewsPrefix}${view}/date=${date}/compacted-${naming.job}-${padCommit(naming.completion)}.parquet`;
    planned.push({
      plan: { view, date, replaced, merged },
      body: writeParquet(columns, sorted),
      rows: sorted,
    });
  }
  return planned;
}
