/**
 * `dead-letters show`: one dead letter for people — where it came from, why, when, and its key and value
 * decoded (JSON pretty-printed). What the stored line only implies is said in words: bytes that are not
 * UTF-8 (with where they break, and the base64 to copy), a null key, a tombstone, an empty value.
 */
import { describeInvalidUtf8, firstInvalidUtf8Offset } from '../../events/utf8.ts';
import type { RecordBytes } from '../../events/record.ts';
import type { DeadLetter } from '../io/dead-letter.ts';

const INDENT = '  ';

function indented(text: string): string[] {
  return text.split('\n').map((line) => `${INDENT}${INDENT}${line}`);
}

const JSON_SPACE = /[ \t\n\r]/;

/**
 * Indents valid JSON text token by token rather than through JSON.parse, so a number too big for a
 * double, an escape or a duplicate key shows exactly as the producer sent it.
 */
export function indentJson(text: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  const newline = (): string => `\n${INDENT.repeat(depth)}`;
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (inString) {
      out += char;
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '{' || char === '[') {
      let next = at + 1;
      while (next < text.length && JSON_SPACE.test(text[next]!)) next++;
      if (text[next] === (char === '{' ? '}' : ']')) {
        out += `${char}${text[next]}`; // an empty object or array stays on its line
        at = next;
      } else {
        depth++;
        out += `${char}${newline()}`;
      }
    } else if (char === '}' || char === ']') {
      depth--;
      out += `${newline()}${char}`;
    } else if (char === ',') out += `,${newline()}`;
    else if (char === ':') out += ': ';
    else if (!JSON_SPACE.test(char)) out += char;
  }
  return out;
}

/** The lines describing a key or value; `nullMeans` says what a null is; values are JSON, keys plain text. */
function bytesLines(label: string, data: RecordBytes, nullMeans: string, json: boolean): string[] {
  if (data === null) return [`${INDENT}${label}: null (${nullMeans})`];
  if (data instanceof Uint8Array) {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const where = describeInvalidUtf8(bytes, Math.max(0, firstInvalidUtf8Offset(bytes)));
    return [
      `${INDENT}${label}: ${bytes.length} bytes, ${where}; base64:`,
      ...indented(bytes.toString('base64')),
      `${INDENT}${label} as text (U+FFFD for each bad byte; JSON-escaped):`,
      ...indented(JSON.stringify(bytes.toString('utf8'))),
    ];
  }
  const size = `${Buffer.byteLength(data, 'utf8')} bytes UTF-8`;
  if (!json || data === '') return [`${INDENT}${label}: ${JSON.stringify(data)} (${size})`];
  try {
    JSON.parse(data);
  } catch {
    return [`${INDENT}${label} (${size}, not JSON):`, ...indented(data)];
  }
  return [`${INDENT}${label} (${size}, JSON):`, ...indented(indentJson(data))];
}

function timeText(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : `${date.toISOString()} (${epochMs})`;
}

/** The letter as readable lines; fields beyond the stored eight (the HTTP edge's) follow as JSON. */
export function formatDeadLetter(letter: DeadLetter): string[] {
  const { topic, partition, offset, timestamp, reason, message, key, value, ...rest } = letter;
  const where =
    partition === null || offset === null
      ? `${topic ?? '(no topic)'} (never in Kafka: rejected at the HTTP edge)`
      : `${topic} partition ${partition} offset ${offset}`;
  const lines = [
    `${where}`,
    `${INDENT}reason: ${reason}`,
    `${INDENT}message: ${message}`,
    `${INDENT}timestamp: ${timeText(timestamp)}`,
    ...bytesLines('key', key, 'no key', false),
    ...bytesLines('value', value, 'a tombstone: the record had no value', true),
  ];
  for (const [field, fieldValue] of Object.entries(rest))
    lines.push(`${INDENT}${field}: ${JSON.stringify(fieldValue)}`);
  return lines;
}
