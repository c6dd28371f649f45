import { describe, expect, it } from 'vitest';
import { appendArchiveLine, archiveLine, readArchiveLine } from '../../src/processor/io/archive-line.ts';
import { LineBytes } from '../../src/processor/io/line-bytes.ts';
import { ndjsonLines } from '../../src/processor/io/ndjson-parts.ts';
import { wireValue } from '../fixtures/valid-events.ts';

const place = { partition: 3, offset: 1_234_567, timestamp: 1_736_208_000_123 };

/** A line as a commit writes it and a completion reads it: bytes of an NDJSON file, split again. */
function roundTrip(value: string, status: 'accepted' | 'late' = 'accepted') {
  const written = new LineBytes();
  appendArchiveLine(written, { ...place, value }, status);
  const body = Buffer.concat(written.parts());
  expect(body.toString()).toBe(`${archiveLine({ ...place, value }, status)}\n`);
  const lines = ndjsonLines(body);
  expect(lines).toHaveLength(1);
  return readArchiveLine(lines[0]!);
}

describe('the pending archive line', () => {
  it('is a header of tab-separated fields and then the value as received, unescaped', () => {
    const value = wireValue('login_success');

    const line = archiveLine({ ...place, value }, 'late');

    expect(line).toBe(`3\t1234567\t1736208000123\tlate\t${value}`);
    expect(roundTrip(value, 'late')).toEqual({ ...place, status: 'late', value });
  });

  it('keeps values with tabs, escapes, quotes and non-ASCII text byte for byte', () => {
    const values = [
      wireValue('login_success', { user_agent: 'tab\there "quoted" \\ back\\slash' }),
      '{\t"event_id":\t"e-1"\t}',
      wireValue('profile_updated', { user_id: 'é€😀 ü\u2028\u0000' }),
      '{"a":"\\n is an escape, not a newline","b":"\\t"}',
    ];

    for (const value of values) expect(roundTrip(value).value).toBe(value);
  });

  it('escapes a value holding a raw newline (JSON whitespace), which would split the NDJSON line', () => {
    const value = '{\n  "event_id": "e-1",\r\n  "user_id": "u-1"\n}';

    const line = archiveLine({ ...place, value }, 'accepted');

    expect(line).not.toContain('\n');
    expect(roundTrip(value).value).toBe(value);
  });

  it('escapes a value that starts with a quote, so an escaped value is never mistaken for one', () => {
    expect(roundTrip('"text"').value).toBe('"text"');
  });

  it('still reads the JSON-object lines of the previous version', () => {
    const value = wireValue('video_play', { user_id: 'tab\tand é' });
    const old = JSON.stringify({ ...place, status: 'accepted', value });

    expect(readArchiveLine(Buffer.from(old))).toEqual({ ...place, status: 'accepted', value });
  });

  it('rejects a damaged line, saying what is wrong and showing its start', () => {
    const bad = (text: string) => () => readArchiveLine(Buffer.from(text));

    expect(bad('3\t12\t99\taccepted')).toThrow(/expected 5 tab-separated fields in "3\\t12\\t99\\taccepted"/);
    expect(bad('3\t1x\t99\taccepted\t{}')).toThrow(/bad number/);
    expect(bad('3\t\t99\taccepted\t{}')).toThrow(/empty number/);
    expect(bad('3\t12\t99\tduplicate\t{}')).toThrow(/unknown status "duplicate"/);
    expect(bad('{"partition":3,"offset":12}')).toThrow(/fields missing/);
  });
});
