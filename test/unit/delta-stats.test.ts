import { describe, expect, it } from 'vitest';
import type { ParquetColumn, ParquetRow } from '../../src/storage/parquet-columns.ts';
import { STRING_PREFIX_LENGTH, fileStats } from '../../src/storage/delta/file-stats.ts';

interface Stats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

const statsOf = (columns: ParquetColumn[], rows: ParquetRow[]): Stats =>
  JSON.parse(fileStats(columns, rows)) as Stats;

describe('fileStats', () => {
  it('counts records and the nulls of every column, bounds or not', () => {
    const columns: ParquetColumn[] = [
      { name: 'n', type: 'int64' },
      { name: 'flag', type: 'boolean' },
      { name: '_ids', type: 'json' },
    ];
    const rows: ParquetRow[] = [
      { n: 1, flag: true, _ids: ['a'] },
      { n: null, flag: undefined, _ids: null },
      { n: 3, flag: false, _ids: { a: 1 } },
    ];

    const stats = statsOf(columns, rows);

    expect(stats.numRecords).toBe(3);
    expect(stats.nullCount).toEqual({ n: 1, flag: 1, _ids: 1 });
    expect(stats.minValues).toEqual({ n: 1 });
    expect(stats.maxValues).toEqual({ n: 3 });
  });

  it('writes int64 bounds beyond 2^53 exactly', () => {
    const columns: ParquetColumn[] = [{ name: 'bytes', type: 'int64' }];

    const text = fileStats(columns, [
      { bytes: 9_007_199_254_740_993n },
      { bytes: -5 },
      { bytes: 3_000_000_000 },
    ]);

    expect(text).toContain('"minValues":{"bytes":-5}');
    expect(text).toContain('"maxValues":{"bytes":9007199254740993}');
  });

  it('writes timestamp bounds as ISO-8601 UTC with milliseconds', () => {
    const columns: ParquetColumn[] = [{ name: 'window_start', type: 'timestamp' }];
    const rows = [
      { window_start: Date.UTC(2025, 0, 2, 3, 4, 5, 6) },
      { window_start: Date.UTC(2024, 11, 31) },
    ];

    const stats = statsOf(columns, rows);

    expect(stats.minValues).toEqual({ window_start: '2024-12-31T00:00:00.000Z' });
    expect(stats.maxValues).toEqual({ window_start: '2025-01-02T03:04:05.006Z' });
  });

  it('orders strings by UTF-8 bytes as Spark does, not by UTF-16 code units', () => {
    const columns: ParquetColumn[] = [{ name: 'course_id', type: 'string' }];
    // UTF-16: 'a' < '😀' (D83D…) < 'Ａ' (FF21).
    // UTF-8: 'a' (61) < 'Ａ' (EF BC A1) < '😀' (F0 9F 98 80).
    const rows = [{ course_id: 'Ａ' }, { course_id: '😀' }, { course_id: 'a' }];

    const stats = statsOf(columns, rows);

    expect(stats.minValues).toEqual({ course_id: 'a' });
    expect(stats.maxValues).toEqual({ course_id: '😀' });
  });

  it('keeps a 32-character prefix of a long minimum and leaves out a long maximum', () => {
    const columns: ParquetColumn[] = [{ name: 's', type: 'string' }];
    const long = 'é'.repeat(STRING_PREFIX_LENGTH + 5);

    const stats = statsOf(columns, [{ s: long }, { s: `${long}z` }]);

    expect(stats.minValues).toEqual({ s: 'é'.repeat(STRING_PREFIX_LENGTH) });
    expect(stats.maxValues).toEqual({});
  });

  it('gives a double column no bounds when it holds NaN or an infinity', () => {
    const columns: ParquetColumn[] = [
      { name: 'rate', type: 'double' },
      { name: 'nan', type: 'double' },
      { name: 'inf', type: 'double' },
    ];
    const rows = [
      { rate: 0.5, nan: Number.NaN, inf: 1 },
      { rate: -1.25, nan: 2, inf: Number.POSITIVE_INFINITY },
    ];

    const stats = statsOf(columns, rows);

    expect(stats.minValues).toEqual({ rate: -1.25 });
    expect(stats.maxValues).toEqual({ rate: 0.5 });
    expect(stats.nullCount).toEqual({ rate: 0, nan: 0, inf: 0 });
  });

  it('gives all-null columns, empty files and out-of-range timestamps no bounds', () => {
    const columns: ParquetColumn[] = [
      { name: 't', type: 'timestamp' },
      { name: 's', type: 'string' },
    ];

    expect(statsOf(columns, [])).toEqual({
      numRecords: 0,
      minValues: {},
      maxValues: {},
      nullCount: { t: 0, s: 0 },
    });
    const stats = statsOf(columns, [
      { t: -1, s: null },
      { t: 5, s: null },
    ]);
    expect(stats.minValues).toEqual({});
    expect(stats.nullCount).toEqual({ t: 0, s: 2 });
  });
});
