/**
 * The raw archive's files (docs/storage.md "Raw archive"). A commit writes each accepted or late record of
 * a topic as one pending line (archive-line.ts: where it came from, what the speed layer made of it, and
 * its value as received — a concatenation on the commit path, no parsing). A completion turns the lines
 * of every commit it gathers into typed Parquet files, one per topic and UTC date of `event_time`
 * (archive-conversion.ts), in the process's archive worker thread (archive-thread.ts): the conversion
 * takes seconds of CPU a minute at 10k events/s, which the jobs' event loop no longer spends.
 */
import { archiveColumns } from '../../events/archive-columns.ts';
import type { Topic } from '../../events/topics.ts';
import type { OutputFile, StorageLayout } from '../../storage/layout.ts';
import type { ArchiveConversionOptions } from './archive-conversion.ts';
import { archiveThread } from './archive-thread.ts';
import type { TableSet } from './view-tables.ts';

/** A commit's pending line of one record (the commit path's half of the archive). */
export { appendArchiveLine, archiveLine } from './archive-line.ts';

/** The archive files of one topic's pending lines, under `dir` (`raw/<topic>`), by event date. */
export async function archiveFiles(
  dir: string,
  topic: Topic,
  lines: readonly Uint8Array[],
  options: ArchiveConversionOptions = {},
): Promise<OutputFile[]> {
  if (lines.length === 0) return [];
  return archiveThread.convert(dir, topic, lines, options);
}

/** The raw archive as Delta tables: one per topic, with the archive's columns. */
export function rawTableSet(layout: StorageLayout): TableSet {
  return { prefix: layout.rawPrefix, columnsOf: (topic) => archiveColumns(topic as Topic) };
}
