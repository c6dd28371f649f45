import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewSpec } from '../../src/events/view-catalog.ts';
import type { ParquetColumn, ParquetRow } from '../../src/storage/parquet-columns.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';
import { writeParquet } from '../../src/storage/parquet-writer.ts';
import { duckRows, sqlString } from './io-duckdb.ts';

const COLUMNS: ParquetColumn[] = [
  { name: 'window_start', type: 'timestamp' },
  { name: 'window_end', type: 'timestamp' },
  { name: 'course_id', type: 'string' },
  { name: 'events', type: 'int64' },
  { name: 'bytes', type: 'int64' },
  { name: 'ratio', type: 'double' },
  { name: 'flag', type: 'boolean' },
  { name: '_ids', type: 'json' },
];

const ROWS: ParquetRow[] = [
  {
    window_start: Date.UTC(2024, 2, 1, 10, 5),
    window_end: Date.UTC(2024, 2, 1, 10, 6),
    course_id: 'c-é€😀',
    events: 3,
    bytes: 9_007_199_254_740_993n,
    ratio: 0.25,
    flag: true,
    _ids: ['u1', 'u2'],
  },
  {
    window_start: Date.UTC(2024, 2, 1, 10, 6),
    window_end: Date.UTC(2024, 2, 1, 10, 7),
    course_id: null,
    events: 0,
    bytes: 0,
    ratio: null,
    flag: false,
    _ids: { v1: 2, v2: 1 },
  },
];

let dir = '';
let path = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'io-parquet-'));
  path = join(dir, 'rows.parquet');
  await writeFile(path, writeParquet(COLUMNS, ROWS));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeParquet / readParquet', () => {
  it('reads back the same rows and JS types with hyparquet', async () => {
    const { columns, rows } = await readParquet(await readFile(path));
    expect(columns).toEqual(COLUMNS);
    expect(rows).toEqual(ROWS);
    expect(typeof rows[0]!.events).toBe('number');
    expect(typeof rows[0]!.bytes).toBe('bigint');
  });

  it('gives DuckDB UTC timestamps, BIGINT counts, DOUBLE, BOOLEAN and VARCHAR columns', async () => {
    const types = await duckRows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      window_start: 'TIMESTAMP WITH TIME ZONE',
      window_end: 'TIMESTAMP WITH TIME ZONE',
      course_id: 'VARCHAR',
      events: 'BIGINT',
      bytes: 'BIGINT',
      ratio: 'DOUBLE',
      flag: 'BOOLEAN',
      _ids: 'VARCHAR',
    });
  });

  it('gives DuckDB the same values, nulls included', async () => {
    const rows = await duckRows(
      `SELECT epoch_ms(window_start) AS start_ms, course_id, events, bytes, ratio, flag, _ids
       FROM read_parquet(${sqlString(path)}) ORDER BY window_start`,
    );
    expect(rows).toEqual([
      {
        start_ms: String(ROWS[0]!.window_start),
        course_id: 'c-é€😀',
        events: '3',
        bytes: '9007199254740993',
        ratio: 0.25,
        flag: true,
        _ids: '["u1","u2"]',
      },
      {
        start_ms: String(ROWS[1]!.window_start),
        course_id: null,
        events: '0',
        bytes: '0',
        ratio: null,
        flag: false,
        _ids: '{"v1":2,"v2":1}',
      },
    ]);
  });

  it('writes a file with zero rows that both readers accept', async () => {
    const empty = join(dir, 'empty.parquet');
    await writeFile(empty, writeParquet(COLUMNS, []));
    expect((await readParquet(await readFile(empty))).rows).toEqual([]);
    expect(await duckRows(`SELECT count(*) AS n FROM read_parquet(${sqlString(empty)})`)).toEqual([
      { n: '0' },
    ]);
  });

  it('rejects a non-integer in an int64 column with the column name', () => {
    expect(() => writeParquet(COLUMNS, [{ ...ROWS[0]!, events: 1.5 }])).toThrow(/events/);
  });

  // No time bound: a busy machine fails any; `npm run load` measures the jobs, Parquet writing included.
  it('writes 100k rows of a catalog view into one file that holds them all', () => {
    const spec = viewSpec('video_realtime_watch_time_5min');
    const rows: ParquetRow[] = Array.from({ length: 100_000 }, (_, index) => ({
      window_start: 1_700_000_000_000 + Math.floor(index / 1000) * 300_000,
      window_end: 1_700_000_300_000 + Math.floor(index / 1000) * 300_000,
      course_id: `course-${index % 200}`,
      video_id: `video-${index % 3000}`,
      viewers: (index % 17) + 1,
      watch_seconds: index * 1.5,
      avg_watch_seconds_per_viewer: (index * 1.5) / ((index % 17) + 1),
    }));
    const file = writeParquet(spec.columns, rows);
    expect(Number(parquetMetadata(file).num_rows)).toBe(100_000);
  });
});
