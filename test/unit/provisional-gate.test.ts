import { describe, expect, it } from 'vitest';
import {
  catchingUp,
  MAX_BEHIND_MS,
  MAX_LAG,
  MAX_SPACING_MS,
  roundSpacingMs,
} from '../../src/processor/runner/provisional-publisher.ts';

describe('when a job stops publishing provisional rows', () => {
  it('only when it is both many records and a long time behind the head', () => {
    const far = { records: MAX_LAG + 1, behindMs: MAX_BEHIND_MS + 1 };
    expect(catchingUp(far)).toBe(true);
    // One fetch of a fast input brings more than MAX_LAG records of the last seconds: still at the head.
    expect(catchingUp({ ...far, behindMs: 2_000 })).toBe(false);
    // Producers that stamp old times, a few records behind: still at the head.
    expect(catchingUp({ ...far, records: 300 })).toBe(false);
    // Adopted partitions with a backlog and nothing processed yet count as far behind.
    expect(catchingUp({ records: 1_000_000, behindMs: Infinity })).toBe(true);
    expect(catchingUp({ records: 0, behindMs: 0 })).toBe(false);
  });
});

describe('how far apart provisional rounds are', () => {
  it('at the interval while cheap, spaced to keep rounds at 5 % of the loop, at most the trigger bound', () => {
    expect(roundSpacingMs(1, 250)).toBe(250);
    expect(roundSpacingMs(20, 250)).toBeCloseTo(380); // 20 ms is 5 % of 400 ms
    expect(roundSpacingMs(500, 250)).toBe(MAX_SPACING_MS);
    expect(roundSpacingMs(500, 2_000)).toBe(2_000); // an interval set above the bound still holds
  });
});
