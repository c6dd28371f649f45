/**
 * The raw archive's pending line (docs/storage.md "Raw archive"): one accepted or late record of a commit,
 * `<partition>\t<offset>\t<timestamp>\t<status>\t<value>`, the value being the record's JSON text as
 * received. The value goes last and unescaped, so writing a line is a concatenation and reading it parses
 * the value once; only a value holding a raw newline (JSON whitespace that would split the NDJSON line),
 * or starting with `"`, is written as a JSON string of its text, marked by that leading `"`.
 * Lines of the previous version (a JSON object, `{"partition":…,"value":"…"}`) are still read: a pending
 * file may outlive an upgrade. The first byte tells them apart (`{` versus a digit).
 */
import type { SpeedStatus } from '../../events/archive-columns.ts';
import type { LineBytes } from './line-bytes.ts';

/** A pending record: its place, record timestamp and status, and its value's JSON text. */
export interface PendingArchiveLine {
  partition: number;
  offset: number;
  timestamp: number;
  status: SpeedStatus;
  value: string;
}

const TAB = 0x09;
const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
/** Bytes as they are: a BOM at a value's start (never valid JSON) is kept, not dropped. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

type ArchivedRecord = { partition: number; offset: number; timestamp: number; value: string };

/** One record's pending line (without the newline); no JSON.stringify unless the value needs it. */
export function archiveLine(record: ArchivedRecord, status: SpeedStatus): string {
  return lineHead(record, status) + lineValue(record.value);
}

/** One record's pending line, appended to `lines` as bytes. */
export function appendArchiveLine(lines: LineBytes, record: ArchivedRecord, status: SpeedStatus): void {
  lines.push(lineHead(record, status), lineValue(record.value));
}

function lineHead({ partition, offset, timestamp }: ArchivedRecord, status: SpeedStatus): string {
  return `${partition}\t${offset}\t${timestamp}\t${status}\t`;
}

/** The value as it goes in the line: as received, unless it would split the line or read as escaped. */
function lineValue(value: string): string {
  return value.includes('\n') || value.startsWith('"') ? JSON.stringify(value) : value;
}

/** A pending line's fields, in either format; throws naming what is wrong with it. */
export function readArchiveLine(bytes: Uint8Array): PendingArchiveLine {
  if (bytes[0] === OPEN_BRACE) return objectLine(decoder.decode(bytes));
  const tabs: number[] = [];
  for (let from = 0; tabs.length < 4; from = tabs.at(-1)! + 1) {
    const tab = bytes.indexOf(TAB, from);
    if (tab < 0) throw new Error(`archive line: expected 5 tab-separated fields in ${excerpt(bytes)}`);
    tabs.push(tab);
  }
  const [afterPartition, afterOffset, afterTimestamp, afterStatus] = tabs as [number, number, number, number];
  const partition = integerAt(bytes, 0, afterPartition);
  const offset = integerAt(bytes, afterPartition + 1, afterOffset);
  const timestamp = integerAt(bytes, afterOffset + 1, afterTimestamp);
  const status = decoder.decode(bytes.subarray(afterTimestamp + 1, afterStatus));
  if (status !== 'accepted' && status !== 'late')
    throw new Error(`archive line: unknown status ${JSON.stringify(status)} in ${excerpt(bytes)}`);
  // Only the value's own JSON.parse (by the caller) remains; an escaped value is parsed once more here.
  const text = decoder.decode(bytes.subarray(afterStatus + 1));
  const value = bytes[afterStatus + 1] === QUOTE ? (JSON.parse(text) as string) : text;
  return { partition, offset, timestamp, status, value };
}

/** The decimal digits in bytes [start, end) as a number. */
function integerAt(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index += 1) {
    const digit = bytes[index]! - 0x30;
    if (digit < 0 || digit > 9) throw new Error(`archive line: bad number in ${excerpt(bytes)}`);
    value = value * 10 + digit;
  }
  if (end === start) throw new Error(`archive line: empty number in ${excerpt(bytes)}`);
  return value;
}

/** A line of the previous version: the same fields as one JSON object, the value escaped in it. */
function objectLine(text: string): PendingArchiveLine {
  const line = JSON.parse(text) as Partial<PendingArchiveLine>;
  const { partition, offset, timestamp, status, value } = line;
  const integers = [partition, offset, timestamp].every((n) => Number.isSafeInteger(n));
  if (!integers || (status !== 'accepted' && status !== 'late') || typeof value !== 'string')
    throw new Error(`archive line: fields missing in ${text.slice(0, 120)}`);
  return line as PendingArchiveLine;
}

function excerpt(bytes: Uint8Array): string {
  return JSON.stringify(decoder.decode(bytes.subarray(0, 120)));
}
