import { describe, expect, it } from 'vitest';
import { catchingUp, MAX_BEHIND_MS, MAX_LAG } from '../../src/processor/runner/provisional-publisher.ts';

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
