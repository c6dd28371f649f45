/**
 * The raw archive's conversion (docs/storage.md "Raw archive"): one topic's pending lines → typed Parquet
 * rows (archive-columns.ts), one file per UTC date of `event_time`, split once a file reaches
 * `maxRowsPerFile` rows. Synchronous and CPU-bound: the archive worker (archive-worker.ts) runs it, off
 * the jobs' event loop. Each line's values go straight into its date's column arrays (no row object per
 * event, no second pass turning rows into columns), and timestamps stay numbers: the same bytes as
 * rows, for less CPU (BENCHMARKS.md 3c); what remains is mostly JSON.parse and hyparquet-writer's own
 * per-value work (levels, statistics, dictionaries, UTF-8, Snappy). The rows stay in the worker: the
 * Delta `add` of a file takes its stats from the Parquet footer (storage/delta/footer-stats.ts: the
 * writer's per-chunk min/max and null counts), which gives `event_time_ms` bounds to the batch layer's
 * plan and to Spark's data skipping.
 */
import {
  appendArchiveValues,
  archiveColumns,
  type ArchiveColumnValues,
} from '../../events/archive-columns.ts';
import { parseEventTime } from '../../events/event-time.ts';
import type { Topic } from '../../events/topics.ts';
import { utcDate, type OutputFile } from '../../storage/layout.ts';
import { ParquetFileWriter } from '../../storage/parquet-writer.ts';
import { readArchiveLine } from './archive-line.ts';

/** Rows per archive file at most. */
export const ARCHIVE_ROWS_PER_FILE = 250_000;

/** Lines converted per row group (one row group per date among them): bounds the rows held at once. */
export const ARCHIVE_LINES_PER_ROW_GROUP = 10_000;

export interface ArchiveConversionOptions {
  maxRowsPerFile?: number;
  linesPerRowGroup?: number;
}

/** The archive files of one topic's pending lines, under `dir` (`raw/<topic>`), by event date. */
export function convertArchive(
  dir: string,
  topic: Topic,
  lines: readonly Uint8Array[],
  { maxRowsPerFile = ARCHIVE_ROWS_PER_FILE, linesPerRowGroup = ARCHIVE_LINES_PER_ROW_GROUP } = {},
): OutputFile[] {
  const columns = archiveColumns(topic);
  const writers = new Map<string, ParquetFileWriter>();
  const files: OutputFile[] = [];
  const partsOf = new Map<string, number>();
  const finish = (date: string, writer: ParquetFileWriter): void => {
    const part = partsOf.get(date) ?? 0;
    partsOf.set(date, part + 1);
    const extension = part === 0 ? 'parquet' : `p${String(part).padStart(4, '0')}.parquet`;
    files.push({ dir: `${dir}/date=${date}`, extension, body: writer.finish() });
  };
  for (let start = 0; start < lines.length; start += linesPerRowGroup) {
    const group = new Map<string, ArchiveColumnValues[]>();
    const end = Math.min(start + linesPerRowGroup, lines.length);
    const columnsOf = (date: string): ArchiveColumnValues[] => {
      let values = group.get(date);
      if (values === undefined) group.set(date, (values = columns.map(() => [])));
      return values;
    };
    for (let index = start; index < end; index += 1) appendLine(topic, lines, index, dir, columnsOf);
    for (const [date, values] of group) {
      let writer = writers.get(date);
      if (writer === undefined) writers.set(date, (writer = new ParquetFileWriter(columns)));
      writer.writeColumns(values);
      if (writer.rows >= maxRowsPerFile) {
        finish(date, writer);
        writers.delete(date);
      }
    }
  }
  for (const [date, writer] of writers) finish(date, writer);
  return files;
}

/**
 * Appends the values of `lines[index]` to the columns of its event date (`columnsOf`); a bad line fails
 * the conversion, naming it.
 */
function appendLine(
  topic: Topic,
  lines: readonly Uint8Array[],
  index: number,
  dir: string,
  columnsOf: (date: string) => ArchiveColumnValues[],
): void {
  try {
    const line = readArchiveLine(lines[index]!);
    const event = JSON.parse(line.value) as Record<string, unknown>;
    const eventTimeMs = parseEventTime(event.event_time as string);
    appendArchiveValues(columnsOf(utcDate(eventTimeMs)), event, {
      topic,
      partition: line.partition,
      offset: line.offset,
      recordTimestampMs: line.timestamp,
      eventTimeMs,
      status: line.status,
    });
  } catch (error) {
    const where = `${dir}: pending line ${index + 1} of ${lines.length}`;
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
}
