import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { depthOverflowOffset } from '../../src/ingest/json-depth.ts';

/** Nesting depth of a parsed JSON value, the slow obvious way: a scalar is 0, `[]` is 1. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('depthOverflowOffset', () => {
  it('points at the bracket that opens one level more than allowed', () => {
    expect(depthOverflowOffset(Buffer.from('[{"a":[[]]}]'), 3)).toBe(7);
    expect(depthOverflowOffset(Buffer.from('[{"a":[[]]}]'), 4)).toBeNull();
  });

  it('does not count brackets inside strings, escaped quotes and backslashes included', () => {
    const text = JSON.stringify({ a: '[[[{{{"\\[[[', b: ['\\', '[['] });
    expect(depthOverflowOffset(Buffer.from(text), 2)).toBeNull();
    expect(depthOverflowOffset(Buffer.from(text), 1)).toBe(text.indexOf('"b":[') + 4);
  });

  it('agrees with the depth of any parsed JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.nat(7), (value, limit) => {
        const overflow = depthOverflowOffset(Buffer.from(JSON.stringify(value)), limit);
        expect(overflow === null).toBe(depthOf(value) <= limit);
      }),
      { numRuns: 500 },
    );
  });
});
