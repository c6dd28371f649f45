import { describe, expect, it } from 'vitest';
import { approxBytes } from '../../src/processor/engine/state-size.ts';

/** A Set that counts the items read from it. */
class CountingSet extends Set<string> {
  read = 0;
  override *[Symbol.iterator](): SetIterator<string> {
    for (const item of super.values()) {
      this.read++;
      yield item;
    }
  }
}

describe('approxBytes', () => {
  it('estimates a large set from a sample, as much as walking it when its items are alike', () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => `u-${String(index).padStart(6, '0')}`);
    const counting = new CountingSet(ids);
    expect(approxBytes(counting)).toBe(32 + 10_000 * (16 + 16 + 2 * 8));
    expect(counting.read).toBeLessThanOrEqual(32);
  });

  it('scales nested maps and arrays by their sizes', () => {
    const windows = new Map([
      [0, new Map(Array.from({ length: 1000 }, (_, index) => [`k${index % 10}`, [1, 2]]))],
    ]);
    const cell = 24 + (16 + 2 * 2) + (32 + 2 * (8 + 8));
    expect(approxBytes(windows)).toBe(32 + 24 + 8 + 32 + 10 * cell);
    expect(approxBytes([])).toBe(32);
  });
});
