import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEventTime, parseEventTime } from '../../src/events/event-time.ts';

const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The contract's own definition: the Date round trip, from 1970 on. */
function contractParse(text: string): number {
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) || ms < 0 || new Date(ms).toISOString() !== text ? -1 : ms;
}

/** Strings shaped like event times with each part possibly out of range. */
const timeLike = fc
  .tuple(
    fc.integer({ min: 1960, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([y, mo, d, h, mi, s, ms]) => {
    const two = (n: number) => String(n).padStart(2, '0');
    return `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}.${String(ms).padStart(3, '0')}Z`;
  });

describe('parseEventTime agrees with the contract definition new Date(s).toISOString() === s', () => {
  it('round-trips every instant from 1970 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MS }), (ms) => {
        expect(parseEventTime(formatEventTime(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts and rejects exactly the strings the Date round trip does', () => {
    fc.assert(
      fc.property(fc.oneof(timeLike, fc.string({ maxLength: 30 })), (text) => {
        expect(parseEventTime(text)).toBe(contractParse(text));
      }),
      { numRuns: 5000 },
    );
  });
});
