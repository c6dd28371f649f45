/**
 * footerStats: the stats of a file whose rows are not at hand, from its Parquet footer. Where it gives a
 * bound it must be the one fileStats gives from the rows; where it cannot be exact it gives none.
 */
import { describe, expect, it } from 'vitest';
import { fileStats } from '../../src/storage/delta/file-stats.ts';
import { footerStats } from '../../src/storage/delta/footer-stats.ts';
import type { ParquetColumn, ParquetRow } from '../../src/storage/parquet-columns.ts';
import { writeParquet } from '../../src/storage/parquet-writer.ts';

const COLUMNS: ParquetColumn[] = [
  { name: 'at', type: 'timestamp' },
  { name: 'n', type: 'int64' },
  { name: 'name', type: 'string' },
  { name: 'x', type: 'double' },
  { name: 'none', type: 'int64' },
];

const ROWS: ParquetRow[] = [
  { at: Date.UTC(2025, 0, 7, 3), n: 2n ** 60n + 1n, name: 'b', x: 1.5, none: null },
  { at: Date.UTC(2025, 0, 6, 23, 59, 59, 999), n: -4, name: 'a', x: null, none: null },
  { at: null, n: 7, name: null, x: 2, none: null },
];

interface Stats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

/** Parsed keeping int64 text exact (bigint literals beyond 2^53). */
const parse = (text: string | undefined): Stats =>
  JSON.parse((text ?? 'null').replace(/:(-?\d{16,})/g, ':"$1"')) as Stats;

describe('footerStats', () => {
  it('gives the timestamp and int64 bounds and the null counts fileStats gives from the rows', () => {
    // One row per row group: bounds are folded over the groups.
    const body = writeParquet(COLUMNS, ROWS, { rowGroupSize: 1 });

    const fromFooter = parse(footerStats(body));
    const fromRows = parse(fileStats(COLUMNS, ROWS));

    expect(fromFooter.numRecords).toBe(3);
    expect(fromFooter.nullCount).toEqual(fromRows.nullCount);
    expect(fromFooter.minValues).toEqual({ at: fromRows.minValues.at, n: fromRows.minValues.n });
    expect(fromFooter.maxValues).toEqual({ at: fromRows.maxValues.at, n: fromRows.maxValues.n });
    expect(fromFooter.maxValues).toEqual({ at: '2025-01-07T03:00:00.000Z', n: '1152921504606846977' });
  });

  it('gives a timestamp before 1970 no bound', () => {
    const columns: ParquetColumn[] = [{ name: 'at', type: 'timestamp' }];
    const body = writeParquet(columns, [{ at: -1 }, { at: Date.UTC(2025, 0, 7) }]);

    expect(parse(footerStats(body))).toEqual({
      numRecords: 2,
      minValues: {},
      maxValues: {},
      nullCount: { at: 0 },
    });
  });

  it('gives no stats for bytes that are not a Parquet file', () => {
    expect(footerStats(Buffer.from('rows of 3'))).toBeUndefined();
    expect(footerStats(new Uint8Array())).toBeUndefined();
  });
});
