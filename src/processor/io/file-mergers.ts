/**
 * How compaction merges the files of one date, per tree: a view's complete rows are re-sorted into dump
 * order (one file per date is small); the raw archive's files are appended row group by row group, in
 * the order given (commit order), so only one source file's rows are decoded at a time; dead letters are
 * NDJSON, so their files are concatenated as they are.
 */
import { archiveColumns } from '../../events/archive-columns.ts';
import type { Topic } from '../../events/topics.ts';
import { viewSpec } from '../../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../../events/view-dump.ts';
import type { ParquetRow } from '../../storage/parquet-columns.ts';
import { readParquet } from '../../storage/parquet-reader.ts';
import { ParquetFileWriter, writeParquet } from '../../storage/parquet-writer.ts';
import type { CompactionTree } from './completion-log.ts';

/** Takes the replaced files one by one, then gives the merged file (rows too where Delta stats need them). */
export interface FileMerger {
  add(body: Uint8Array): Promise<void>;
  finish(): { body: Buffer; rows?: readonly ParquetRow[] };
}

export function fileMerger(tree: CompactionTree, table: string): FileMerger {
  if (tree === 'raw') return archiveMerger(table as Topic);
  if (tree === 'dead_letter') return ndjsonMerger();
  return viewMerger(table);
}

/** The file extension of a tree's files. */
export function extensionOf(tree: CompactionTree): string {
  return tree === 'dead_letter' ? 'ndjson' : 'parquet';
}

function viewMerger(view: string): FileMerger {
  const spec = viewSpec(view);
  const rows: ViewRow[] = [];
  return {
    async add(body) {
      for (const row of (await readParquet(body)).rows) rows.push(row as ViewRow);
    },
    finish() {
      const sorted = sortRows(spec, rows);
      const columns = spec.columns.map(({ name, type }) => ({ name, type }));
      return { body: writeParquet(columns, sorted), rows: sorted };
    },
  };
}

function archiveMerger(topic: Topic): FileMerger {
  const writer = new ParquetFileWriter(archiveColumns(topic));
  return {
    async add(body) {
      writer.writeRowGroup((await readParquet(body)).rows);
    },
    finish: () => ({ body: writer.finish() }),
  };
}

const NEWLINE = 0x0a;

function ndjsonMerger(): FileMerger {
  const parts: Uint8Array[] = [];
  return {
    add(body) {
      parts.push(body);
      // Every line keeps its end, even when a file's last line had none.
      if (body.byteLength > 0 && body[body.byteLength - 1] !== NEWLINE) parts.push(Buffer.from('\n'));
      return Promise.resolve();
    },
    finish: () => ({ body: Buffer.concat(parts) }),
  };
}
