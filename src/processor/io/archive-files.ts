/**
 * The raw archive's files (docs/storage.md "Raw archive"). A commit writes each accepted or late record of
 * a topic as one pending NDJSON line — where it came from, what the speed layer made of it, and its value
 * as received — which costs one JSON.stringify per record on the commit path and no parsing. A completion
 * turns the lines of every commit it gathers into typed Parquet rows (archive-columns.ts), one file per
 * topic and UTC date of `event_time`, split once a file reaches `maxRowsPerFile` rows. The files carry no Delta column
 * statistics (they would cost a pass over every value; readers then just cannot skip files by them).
 */
import { archiveColumns, archiveRow, type SpeedStatus } from '../../events/archive-columns.ts';
import { parseEventTime } from '../../events/event-time.ts';
import type { Topic } from '../../events/topics.ts';
import { utcDate, type OutputFile, type StorageLayout } from '../../storage/layout.ts';
import type { ParquetRow } from '../../storage/parquet-columns.ts';
import { ParquetFileWriter } from '../../storage/parquet-writer.ts';
import type { TableSet } from './view-tables.ts';

/** Rows per archive file at most. */
export const ARCHIVE_ROWS_PER_FILE = 250_000;

/** A pending archive line: the record's place, timestamp and status, and its value (valid UTF-8 JSON). */
interface PendingArchiveLine {
  partition: number;
  offset: number;
  timestamp: number;
  status: SpeedStatus;
  value: string;
}

/** One record's pending line (without the newline). */
export function archiveLine(
  record: { partition: number; offset: number; timestamp: number; value: string },
  status: SpeedStatus,
): string {
  const { partition, offset, timestamp, value } = record;
  const line: PendingArchiveLine = { partition, offset, timestamp, status, value };
  return JSON.stringify(line);
}

/** Lines converted between two yields to the event loop (one row group per date). */
const LINES_PER_SLICE = 10_000;

/**
 * The archive files of one topic's pending lines, under `dir` (`raw/<topic>`), by event date. The work
 * goes in slices of a row group each, letting the jobs' other work run in between: at 10k events/s a
 * minute of one topic is ~600k lines, seconds of CPU.
 */
export async function archiveFiles(
  dir: string,
  topic: Topic,
  lines: readonly Uint8Array[],
  { maxRowsPerFile = ARCHIVE_ROWS_PER_FILE, linesPerSlice = LINES_PER_SLICE } = {},
): Promise<OutputFile[]> {
  const columns = archiveColumns(topic);
  const decoder = new TextDecoder();
  const writers = new Map<string, ParquetFileWriter>();
  const files: OutputFile[] = [];
  const partsOf = new Map<string, number>();
  const finish = (date: string, writer: ParquetFileWriter): void => {
    const part = partsOf.get(date) ?? 0;
    partsOf.set(date, part + 1);
    const extension = part === 0 ? 'parquet' : `p${String(part).padStart(4, '0')}.parquet`;
    files.push({ dir: `${dir}/date=${date}`, extension, body: writer.finish() });
  };
  for (let start = 0; start < lines.length; start += linesPerSlice) {
    const slice = new Map<string, ParquetRow[]>();
    for (const bytes of lines.slice(start, start + linesPerSlice)) {
      const { row, date } = rowOf(topic, JSON.parse(decoder.decode(bytes)) as PendingArchiveLine);
      const rows = slice.get(date);
      if (rows === undefined) slice.set(date, [row]);
      else rows.push(row);
    }
    for (const [date, rows] of slice) {
      let writer = writers.get(date);
      if (writer === undefined) writers.set(date, (writer = new ParquetFileWriter(columns)));
      writer.writeRowGroup(rows);
      if (writer.rows >= maxRowsPerFile) {
        finish(date, writer);
        writers.delete(date);
      }
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  for (const [date, writer] of writers) finish(date, writer);
  return files;
}

function rowOf(topic: Topic, line: PendingArchiveLine): { row: ParquetRow; date: string } {
  const event = JSON.parse(line.value) as Record<string, unknown>;
  const eventTimeMs = parseEventTime(event.event_time as string);
  const row = archiveRow(event, {
    topic,
    partition: line.partition,
    offset: line.offset,
    recordTimestampMs: line.timestamp,
    eventTimeMs,
    status: line.status,
  });
  return { row, date: utcDate(eventTimeMs) };
}

/** The raw archive as Delta tables: one per topic, with the archive's columns. */
export function rawTableSet(layout: StorageLayout): TableSet {
  return { prefix: layout.rawPrefix, columnsOf: (topic) => archiveColumns(topic as Topic) };
}
