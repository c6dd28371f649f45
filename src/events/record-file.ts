/** Record files of docs/contract/record-files-and-dumps.md: NDJSON, one Kafka record per line, in append order. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RecordBytes, SourceRecord } from './record.ts';
import { putRecordBytes, readRecordBytes, type BytesField } from './record-bytes-json.ts';

/** One record as a record-file line (field order as in docs/contract/record-files-and-dumps.md). */
export function formatRecordLine(record: SourceRecord): string {
  const line: Record<string, unknown> = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
  };
  putRecordBytes(line, 'key', record.key);
  putRecordBytes(line, 'value', record.value);
  return JSON.stringify(line);
}

function fieldError(lineNumber: number, detail: string): Error {
  return new Error(`record file line ${lineNumber}: ${detail}`);
}

/** Parses one line; a malformed line is a broken input file (not a bad event), so it throws with the line number. */
export function parseRecordLine(line: string, lineNumber: number): SourceRecord {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    throw fieldError(lineNumber, `not JSON (${(error as Error).message})`);
  }
  const { topic, partition, offset, timestamp } = parsed;
  if (typeof topic !== 'string') throw fieldError(lineNumber, '"topic" must be a string');
  if (!Number.isSafeInteger(partition) || (partition as number) < 0) {
    throw fieldError(lineNumber, '"partition" must be an integer >= 0');
  }
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) {
    throw fieldError(lineNumber, '"offset" must be an integer >= 0');
  }
  if (!Number.isSafeInteger(timestamp))
    throw fieldError(lineNumber, '"timestamp" must be an integer (epoch ms)');
  return {
    topic,
    partition: partition as number,
    offset: offset as number,
    timestamp: timestamp as number,
    key: bytesOf(parsed, 'key', lineNumber),
    value: bytesOf(parsed, 'value', lineNumber),
  };
}

function bytesOf(parsed: Record<string, unknown>, field: BytesField, lineNumber: number): RecordBytes {
  try {
    return readRecordBytes(parsed, field);
  } catch (error) {
    throw fieldError(lineNumber, (error as Error).message);
  }
}

/** Streams the records of a file in file order; blank lines are skipped. */
export async function* readRecordFile(path: string): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    yield parseRecordLine(line, lineNumber);
  }
}
