import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { archiveColumns, archiveRow, type ArchiveRow } from '../../src/events/archive-columns.ts';
import { parseEventTime } from '../../src/events/event-time.ts';
import { TOPICS, type Topic } from '../../src/events/topics.ts';
import { generateRecords } from '../../src/generator/index.ts';
import { convertArchive } from '../../src/processor/io/archive-conversion.ts';
import { archiveLine, readArchiveLine } from '../../src/processor/io/archive-line.ts';
import { ndjsonLines } from '../../src/processor/io/ndjson-parts.ts';
import { utcDate, type OutputFile } from '../../src/storage/layout.ts';
import type { ParquetRow } from '../../src/storage/parquet-columns.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';
import { ParquetFileWriter } from '../../src/storage/parquet-writer.ts';

const OPTIONS = { maxRowsPerFile: 900, linesPerRowGroup: 400 };

/** Valid generated records of one topic as pending lines, every fifth one late. */
function pendingLines(topic: Topic): Uint8Array[] {
  const lines: string[] = [];
  for (const record of generateRecords({ events: 3_000, seed: 23, users: 200, topics: [topic] }))
    if (record.fault === null && typeof record.value === 'string')
      lines.push(
        archiveLine({ ...record, value: record.value }, record.offset % 5 === 0 ? 'late' : 'accepted'),
      );
  // Profile events come with their course either always or never: one the other way, so both are written.
  if (topic === 'lms.profile') {
    const [partition, offset, timestamp, status, value] = lines[0]!.split('\t') as [
      string,
      string,
      string,
      'late',
      string,
    ];
    const event = JSON.parse(value) as Record<string, unknown>;
    const flipped = JSON.stringify({
      ...event,
      course_id: (event.course_id ?? null) === null ? 'c-x' : null,
    });
    const place = {
      partition: Number(partition),
      offset: Number(offset) + 1e9,
      timestamp: Number(timestamp),
    };
    lines.push(archiveLine({ ...place, value: flipped }, status));
  }
  return ndjsonLines(Buffer.from(`${lines.join('\n')}\n`));
}

/** The line's event as archiveRow makes it: the row the archive must hold for it. */
function rowOf(topic: Topic, bytes: Uint8Array): ArchiveRow {
  const line = readArchiveLine(bytes);
  const event = JSON.parse(line.value) as Record<string, unknown>;
  const eventTimeMs = parseEventTime(event.event_time as string);
  const meta = { partition: line.partition, offset: line.offset, recordTimestampMs: line.timestamp };
  return archiveRow(event, { topic, ...meta, eventTimeMs, status: line.status });
}

/** The conversion as it was written with row objects: rows by date, one row group per date per group. */
function rowPathFiles(topic: Topic, lines: readonly Uint8Array[]): OutputFile[] {
  const writers = new Map<string, ParquetFileWriter>();
  const files: OutputFile[] = [];
  const parts = new Map<string, number>();
  const finish = (date: string, writer: ParquetFileWriter): void => {
    const part = parts.get(date) ?? 0;
    parts.set(date, part + 1);
    const extension = part === 0 ? 'parquet' : `p${String(part).padStart(4, '0')}.parquet`;
    files.push({ dir: `raw/${topic}/date=${date}`, extension, body: writer.finish() });
  };
  for (let start = 0; start < lines.length; start += OPTIONS.linesPerRowGroup) {
    const group = new Map<string, ArchiveRow[]>();
    for (const line of lines.slice(start, start + OPTIONS.linesPerRowGroup)) {
      const row = rowOf(topic, line);
      const date = utcDate(row.event_time_ms as number);
      group.set(date, [...(group.get(date) ?? []), row]);
    }
    for (const [date, rows] of group) {
      let writer = writers.get(date);
      if (writer === undefined) writers.set(date, (writer = new ParquetFileWriter(archiveColumns(topic))));
      writer.writeRowGroup(rows);
      if (writer.rows >= OPTIONS.maxRowsPerFile) {
        finish(date, writer);
        writers.delete(date);
      }
    }
  }
  for (const [date, writer] of writers) finish(date, writer);
  return files;
}

const byPlace = (a: ParquetRow, b: ParquetRow): number =>
  (a.partition as number) - (b.partition as number) || (a.offset as number) - (b.offset as number);

describe('the archive conversion by columns', () => {
  it.each(TOPICS)(
    'writes for %s the bytes the row path writes, every value as archiveRow has it',
    async (topic) => {
      const lines = pendingLines(topic);

      const files = convertArchive(`raw/${topic}`, topic, lines, OPTIONS);

      expect(files.length).toBeGreaterThan(1); // several dates or parts
      const reference = rowPathFiles(topic, lines);
      expect(files.map(({ dir, extension }) => `${dir}/${extension}`)).toEqual(
        reference.map(({ dir, extension }) => `${dir}/${extension}`),
      );
      files.forEach((file, index) =>
        expect(Buffer.from(file.body).equals(reference[index]!.body)).toBe(true),
      );
      const read = (await Promise.all(files.map(async (file) => (await readParquet(file.body)).rows))).flat();
      const expected = lines.map((line) => rowOf(topic, line));
      expect(read.sort(byPlace)).toEqual(expected.sort(byPlace));
      // What the comparison covered: late records, and a type's own field null in some rows, set in others.
      expect(expected.some((row) => row.speed_status === 'late')).toBe(true);
      const columns = archiveColumns(topic).map(({ name }) => name);
      const mixed = columns.filter(
        (name) => expected.some((row) => row[name] === null) && expected.some((row) => row[name] !== null),
      );
      expect(mixed.length).toBeGreaterThan(0);
    },
  );

  it('keeps min, max and null count of every column chunk in the footer', () => {
    const lines = pendingLines('lms.assessment');

    const [file] = convertArchive('raw/lms.assessment', 'lms.assessment', lines, {
      linesPerRowGroup: 50_000,
    });

    const metadata = parquetMetadata(file!.body.buffer.slice(file!.body.byteOffset) as ArrayBuffer);
    const chunks = metadata.row_groups.flatMap((group) => group.columns);
    expect(chunks.length).toBe(archiveColumns('lms.assessment').length);
    for (const chunk of chunks) expect(chunk.meta_data?.statistics?.null_count).toBeDefined();
    const eventTime = chunks.find((chunk) => chunk.meta_data?.path_in_schema[0] === 'event_time_ms');
    const times = lines.map((line) => rowOf('lms.assessment', line).event_time_ms as number);
    expect(eventTime?.meta_data?.statistics?.min_value).toEqual(new Date(Math.min(...times)));
    expect(eventTime?.meta_data?.statistics?.max_value).toEqual(new Date(Math.max(...times)));
  });
});
