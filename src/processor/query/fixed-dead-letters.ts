/**
 * `dead-letters replay --fixed FILE`: records an operator edited, in the stored dead-letter line format
 * (docs/contract/record-files-and-dumps.md; e.g. `dead-letters list > FILE`, then a value fixed by
 * hand). Every line is checked before anything is produced, and the first bad one stops the replay with
 * its line number: a half-replayed file would be harder to resume than a rejected one.
 */
import { readFile } from 'node:fs/promises';
import { readRecordBytes } from '../../events/record-bytes-json.ts';
import { REJECT_REASONS } from '../../events/record.ts';
import type { DeadLetter } from '../io/dead-letter.ts';

/** A Kafka position field: a whole number >= 0, or null for the HTTP edge's letters (never in Kafka). */
function position(fields: Record<string, unknown>, name: 'partition' | 'offset'): void {
  const value = fields[name];
  if (value !== null && !(Number.isSafeInteger(value) && (value as number) >= 0))
    throw new Error(`"${name}" must be a whole number >= 0 or null, got ${JSON.stringify(value)}`);
}

/** One line as a DeadLetter; throws saying which field is wrong. Unknown fields are kept, as list prints them. */
export function parseFixedLine(text: string): DeadLetter {
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    throw new Error('not a JSON object');
  const record = fields as Record<string, unknown>;
  if (record.topic !== null && (typeof record.topic !== 'string' || record.topic === ''))
    throw new Error(`"topic" must be a topic name or null, got ${JSON.stringify(record.topic)}`);
  position(record, 'partition');
  position(record, 'offset');
  if (typeof record.timestamp !== 'number' || !Number.isFinite(record.timestamp))
    throw new Error(`"timestamp" must be epoch ms, got ${JSON.stringify(record.timestamp)}`);
  if (!(REJECT_REASONS as readonly unknown[]).includes(record.reason))
    throw new Error(
      `"reason" must be one of ${REJECT_REASONS.join(', ')}, got ${JSON.stringify(record.reason)}`,
    );
  if (typeof record.message !== 'string')
    throw new Error(`"message" must be a string, got ${JSON.stringify(record.message)}`);
  const key = readRecordBytes(record, 'key');
  const value = readRecordBytes(record, 'value');
  delete record.key_encoding;
  delete record.value_encoding;
  return { ...record, key, value } as unknown as DeadLetter;
}

/** Every record of a file's text; blank lines are skipped. Errors read `<name> line <n>: <why>`. */
export function parseFixedDeadLetters(text: string, name: string): DeadLetter[] {
  const letters: DeadLetter[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      letters.push(parseFixedLine(line));
    } catch (error) {
      throw new Error(`${name} line ${index + 1}: ${(error as Error).message}`);
    }
  }
  return letters;
}

export async function readFixedDeadLetters(path: string): Promise<DeadLetter[]> {
  return parseFixedDeadLetters(await readFile(path, 'utf8'), path);
}
