import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeInvalidUtf8, firstInvalidUtf8Offset } from '../../src/events/utf8.ts';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('firstInvalidUtf8Offset', () => {
  it.each([
    ['a byte UTF-8 never uses', bytes(0x61, 0xfe), 1],
    ['a stray continuation byte', bytes(0x80, 0x61), 0],
    ['a sequence cut short by the next character', bytes(0x61, 0x62, 0xe2, 0x82, 0x22), 2],
    ['a sequence cut short by the end', bytes(0xf0, 0x9f, 0x98), 0],
    ['an overlong "/"', bytes(0xc0, 0xaf), 0],
    ['an overlong three-byte form', bytes(0xe0, 0x80, 0xaf), 0],
    ['a UTF-16 surrogate', bytes(0x61, 0xed, 0xa0, 0x80), 1],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
  ])('finds %s', (_name, input, offset) => {
    expect(firstInvalidUtf8Offset(input)).toBe(offset);
  });

  it('says -1 for UTF-8, BOM, U+FFFD and four-byte characters included', () => {
    expect(firstInvalidUtf8Offset(Buffer.from('\uFEFF{"a":"é\uFFFD😀\u{10FFFF}"}'))).toBe(-1);
    expect(firstInvalidUtf8Offset(bytes())).toBe(-1);
  });

  it('agrees with isUtf8: the bytes before the offset are UTF-8, and no character starts at it', () => {
    // Text around a few random bytes, so that valid multi-byte characters meet broken ones.
    const withCharacters = fc
      .tuple(
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        fc.uint8Array({ maxLength: 6 }),
        fc.string({ unit: 'grapheme', maxLength: 8 }),
      )
      .map(([before, middle, after]) => Buffer.concat([Buffer.from(before), middle, Buffer.from(after)]));
    fc.assert(
      fc.property(withCharacters, (input) => {
        const offset = firstInvalidUtf8Offset(input);
        if (offset < 0) return isUtf8(input);
        const startsCharacter = [1, 2, 3, 4].some((length) => isUtf8(input.subarray(0, offset + length)));
        return isUtf8(input.subarray(0, offset)) && !startsCharacter;
      }),
      { numRuns: 1000 },
    );
  });

  it('names the byte and its offset for people', () => {
    expect(describeInvalidUtf8(bytes(0x61, 0xfe), 1)).toBe('is not UTF-8 (byte 0xfe at byte offset 1)');
  });
});
