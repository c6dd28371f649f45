import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MARGIN_MS,
  checkMargin,
  dayStartMs,
  dayWindow,
  daysFrom,
  isClosed,
} from '../../src/batch/batch-days.ts';
import { isBatchError } from '../../src/batch/batch-error.ts';

const HOUR = 3_600_000;

describe('the days of the batch layer', () => {
  it('loads the events of [D − 1 h, D + 1 day + 1 h) for day D and keeps the rows that start in D', () => {
    const window = dayWindow('2025-01-07');

    expect(new Date(window.dayStartMs).toISOString()).toBe('2025-01-07T00:00:00.000Z');
    expect(new Date(window.dayEndMs).toISOString()).toBe('2025-01-08T00:00:00.000Z');
    expect(new Date(window.loadFromMs).toISOString()).toBe('2025-01-06T23:00:00.000Z');
    expect(new Date(window.loadToMs).toISOString()).toBe('2025-01-08T01:00:00.000Z');
    expect(window.dates).toEqual(['2025-01-06', '2025-01-07', '2025-01-08']);
  });

  it('reads only the archive dates the margins reach', () => {
    expect(dayWindow('2025-01-07', 30 * 60_000).dates).toEqual(['2025-01-06', '2025-01-07', '2025-01-08']);
    expect(dayWindow('2025-03-01').dates).toEqual(['2025-02-28', '2025-03-01', '2025-03-02']);
  });

  it('calls a day closed only once completeness reaches its end plus the margin', () => {
    const window = dayWindow('2025-01-07');
    const needed = Date.parse('2025-01-08T01:00:00.000Z');

    expect(isClosed(window, undefined)).toBe(false);
    expect(isClosed(window, needed - 1)).toBe(false);
    expect(isClosed(window, needed)).toBe(true);
    expect(isClosed(dayWindow('2025-01-07', 2 * HOUR), needed)).toBe(false);
  });

  it('lists a range with both ends, across a month end', () => {
    expect(daysFrom('2025-01-30', '2025-02-02')).toEqual([
      '2025-01-30',
      '2025-01-31',
      '2025-02-01',
      '2025-02-02',
    ]);
    expect(daysFrom('2025-01-30', '2025-01-30')).toEqual(['2025-01-30']);
  });

  it('refuses days that are not YYYY-MM-DD and a range that ends before it starts', () => {
    for (const text of ['2025-1-7', '2025-02-30', 'yesterday', '2025-01-07T00:00:00Z'])
      expect(() => dayStartMs(text), text).toThrow(/is not a day/);
    let error: unknown;
    try {
      daysFrom('2025-01-08', '2025-01-07');
    } catch (thrown) {
      error = thrown;
    }
    expect(isBatchError(error, 'bad_days')).toBe(true);
  });

  it('needs a margin that covers the longest join bound and the session gap', () => {
    expect(() => checkMargin(DEFAULT_MARGIN_MS, 600_000)).not.toThrow();
    expect(() => checkMargin(29 * 60_000, 600_000)).toThrow(/longest join bound/);
    expect(() => checkMargin(HOUR, 2 * HOUR)).toThrow(/session gap/);
  });
});
