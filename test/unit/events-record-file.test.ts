import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { formatRecordLine, parseRecordLine, readRecordFile } from '../../src/events/record-file.ts';
import { tempDir } from './temp-dir.ts';

const at = { topic: 'lms.assessment', partition: 2, offset: 7, timestamp: 1_736_150_400_000 };
const notUtf8 = Buffer.from([0x7b, 0x22, 0xfe, 0x22, 0x7d]); // {"<FE>"}

async function readBack(lines: string[]): Promise<SourceRecord[]> {
  const path = join(tempDir('record-file-'), 'records.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const records: SourceRecord[] = [];
  for await (const record of readRecordFile(path)) records.push(record);
  return records;
}

describe('record files carry any key and value', () => {
  it('writes text as a string, other bytes as base64 with an encoding field, and no value as null', () => {
    expect(formatRecordLine({ ...at, key: 'u-1', value: '{"a":"é"}' })).toBe(
      '{"topic":"lms.assessment","partition":2,"offset":7,"timestamp":1736150400000,"key":"u-1","value":"{\\"a\\":\\"é\\"}"}',
    );
    expect(formatRecordLine({ ...at, key: Buffer.from([0xff]), value: notUtf8 })).toBe(
      '{"topic":"lms.assessment","partition":2,"offset":7,"timestamp":1736150400000,' +
        '"key":"/w==","key_encoding":"base64","value":"eyL+In0=","value_encoding":"base64"}',
    );
    expect(formatRecordLine({ ...at, key: null, value: null })).toContain('"key":null,"value":null}');
  });

  it('reads back exactly what it wrote: text, bytes that are not UTF-8, a tombstone and an empty value', async () => {
    const records: SourceRecord[] = [
      { ...at, key: 'u-1', value: '{"a":"é😀"}' },
      { ...at, offset: 8, key: 'u-1', value: notUtf8 },
      { ...at, offset: 9, key: Buffer.from([0x75, 0xc0, 0xaf]), value: '{}' },
      { ...at, offset: 10, key: 'u-1', value: null },
      { ...at, offset: 11, key: null, value: '' },
    ];

    const back = await readBack(records.map(formatRecordLine));

    expect(back).toEqual(records);
    expect(back[1]!.value).toBeInstanceOf(Uint8Array);
  });

  it('reads a file written before the encodings existed', () => {
    const line = '{"topic":"lms.auth","partition":0,"offset":3,"timestamp":5,"key":null,"value":"NaN"}';
    expect(parseRecordLine(line, 1)).toEqual({
      topic: 'lms.auth',
      partition: 0,
      offset: 3,
      timestamp: 5,
      key: null,
      value: 'NaN',
    });
  });

  it('reads base64 of UTF-8 as its text, as a Kafka reader would hand it over', () => {
    const line = JSON.stringify({
      ...at,
      key: 'u-1',
      value: Buffer.from('{}').toString('base64'),
      value_encoding: 'base64',
    });
    expect(parseRecordLine(line, 1).value).toBe('{}');
  });

  it.each([
    ['an unknown encoding', { value: 'e30=', value_encoding: 'hex' }, '"value_encoding" must be "base64"'],
    ['broken base64', { value: 'e30*', value_encoding: 'base64' }, '"value" is not canonical base64'],
    ['an encoded null', { value: null, value_encoding: 'base64' }, '"value" is null but'],
    ['no value', { value: undefined }, '"value" must be a string or null'],
    ['a number as key', { key: 7 }, '"key" must be a string or null'],
  ])('stops at a line with %s, naming the line', (_name, fields, message) => {
    const line = JSON.stringify({ ...at, key: 'u-1', value: '{}', ...fields });
    expect(() => parseRecordLine(line, 12)).toThrow(`record file line 12: ${message}`);
  });
});
