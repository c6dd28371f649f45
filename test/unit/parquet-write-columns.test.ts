import { describe, expect, it } from 'vitest';
import type { ParquetColumn, ParquetRow } from '../../src/storage/parquet-columns.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';
import { ParquetFileWriter } from '../../src/storage/parquet-writer.ts';

const COLUMNS: ParquetColumn[] = [
  { name: 'window_start', type: 'timestamp' },
  { name: 'course_id', type: 'string' },
  { name: 'events', type: 'int64' },
  { name: 'ratio', type: 'double' },
  { name: 'flag', type: 'boolean' },
  { name: 'ids', type: 'json' },
];

const ROWS: ParquetRow[] = [
  { window_start: 1_709_287_500_000, course_id: 'c-é€😀', events: 3, ratio: 0.25, flag: true, ids: ['u1'] },
  { window_start: 1_709_287_560_000n, course_id: null, events: 9_007_199_254_740_993n, ratio: null, ids: [] },
  { window_start: null, course_id: 'c2', events: 0, ratio: -0, flag: false, ids: null },
];

const bytesOf = (write: (writer: ParquetFileWriter) => void): Buffer => {
  const writer = new ParquetFileWriter(COLUMNS);
  write(writer);
  return writer.finish();
};

describe('a Parquet file written by columns', () => {
  it('holds the bytes of the same rows written as row objects', async () => {
    const byRows = bytesOf((writer) => writer.writeRowGroup(ROWS));

    const byColumns = bytesOf((writer) =>
      writer.writeColumns(COLUMNS.map(({ name }) => ROWS.map((row) => row[name]))),
    );

    expect(byColumns.equals(byRows)).toBe(true);
    expect((await readParquet(byColumns)).rows[1]).toEqual({
      window_start: 1_709_287_560_000,
      course_id: null,
      events: 9_007_199_254_740_993n,
      ratio: null,
      flag: null,
      ids: [],
    });
  });

  it('refuses columns of different lengths, naming the column', () => {
    const writer = new ParquetFileWriter(COLUMNS);
    const columns = COLUMNS.map(({ name }) => ROWS.map((row) => row[name]));
    columns[3] = [0.5];

    expect(() => writer.writeColumns(columns)).toThrow('parquet column ratio: 1 values, expected 3');
  });

  it('refuses a fractional timestamp, naming the column', () => {
    const writer = new ParquetFileWriter(COLUMNS);
    const columns = COLUMNS.map(({ name }) => ROWS.map((row) => row[name]));
    columns[0] = [1.5, null, null];

    expect(() => writer.writeColumns(columns)).toThrow(
      'parquet column window_start: expected an integer, got 1.5',
    );
  });
});
