import { execFileSync } from 'node:child_process';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { histogramQuantiles } from '../../src/load/histogram.ts';
import { keepUp, steadyRate } from '../../src/load/keep-up.ts';
import { resolveLoadParams } from '../../src/load/load-params.ts';
import { finalBefore } from '../../src/load/oracle-check.ts';
import { formatTable } from '../../src/load/report.ts';

describe('load benchmark helpers', () => {
  it('interpolates histogram quantiles inside their bucket, per label value', async () => {
    const histogram = new Histogram({
      name: 'h',
      help: 'h',
      labelNames: ['job'],
      buckets: [1, 2, 4],
      registers: [new Registry()],
    });
    for (const value of [0.5, 1.5, 1.5, 3]) histogram.labels('a').observe(value);
    histogram.labels('b').observe(10);
    const quantiles = await histogramQuantiles(histogram, 'job', [0.25, 0.5, 1]);
    // a: 1 ≤ 1, 3 ≤ 2, 4 ≤ 4. Rank 1 is the top of bucket ≤ 1; rank 2 halfway through (1, 2]; rank 4 at 4.
    expect(quantiles.get('a')).toEqual([1, 1.5, 4]);
    expect(quantiles.get('b')).toEqual([Infinity, Infinity, Infinity]);
  });

  it('keeps only rows whose window end plus join bound is at or before the cutoff', () => {
    const cutoffMs = 3_600_000;
    const result = finalBefore(
      {
        rowsByView: new Map([
          ['auth_realtime_active_users_1min', [{ window_end: 3_600_000 }, { window_end: 3_660_000 }]],
          ['assessment_realtime_grading_queue', [{ window_end: 1_800_000 }, { window_end: 1_800_001 }]],
          ['auth_realtime_session_activity', [{ session_end: 10 }]],
        ]),
        rejected: [{ topic: 'lms.auth', partition: 0, offset: 1, reason: 'invalid' }],
      },
      cutoffMs,
    );
    expect(result.rowsByView.get('auth_realtime_active_users_1min')).toEqual([{ window_end: 3_600_000 }]);
    expect(result.rowsByView.get('assessment_realtime_grading_queue')).toEqual([{ window_end: 1_800_000 }]);
    expect(result.rowsByView.get('auth_realtime_session_activity')).toEqual([{ session_end: 10 }]);
    expect(result.rejected).toHaveLength(1);
  });

  it('measures the generator over the second half and bounds the lag by ten seconds of input', () => {
    const progress = [0, 1, 2, 3, 4].map((s) => ({
      records: s === 0 ? 0 : 5000 + (s - 1) * 1000,
      atMs: s * 1000,
    }));
    // Second half: from the line at 2 s (6,000) to the last at 4 s (8,000): 1,000 records/s.
    expect(steadyRate(progress)).toBe(1000);
    const base = { targetPerS: 1000, progress, drainS: 0 };
    expect(keepUp({ ...base, lags: [50_000, 0, 10_000, 9_000] }).keepsUp).toBe(true);
    expect(keepUp({ ...base, lags: [0, 0, 0, 10_001] }).keepsUp).toBe(false);
    expect(keepUp({ ...base, lags: [0, 0], drainS: 31 }).keepsUp).toBe(false);
    expect(keepUp({ ...base, targetPerS: 1053, lags: [0, 0] }).keepsUp).toBe(false);
  });

  it('formats a table with numbers right-aligned and missing values as a dash', () => {
    const text = formatTable(
      'T',
      ['name', 'n'],
      [
        ['a', 1000],
        ['bb', null],
      ],
    );
    expect(text.split('\n').slice(2)).toEqual(['name      n', '----  -----', 'a     1,000', 'bb        –']);
  });

  it('uses the small quick defaults unless flags say otherwise', () => {
    expect(resolveLoadParams({ quick: true })).toMatchObject({ records: 20_000, ratePerS: 2_000 });
    expect(resolveLoadParams({ records: 5 })).toMatchObject({ records: 5, ratePerS: 10_000, quick: false });
  });

  it('prints the usage and exits non-zero on a bad flag', () => {
    const run = () =>
      execFileSync(process.execPath, ['bin/speed-layer.js', 'load', '--scenarios', 'catchup'], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    expect(run).toThrow(/choose from catch-up, ceiling, sustained, http[\s\S]*Usage: speed-layer load/);
  });
});
