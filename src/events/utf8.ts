/**
 * Where UTF-8 breaks, for the message of a rejection: readers decode with a strict decoder on the hot
 * path and call this only when that failed. A plain loop over the well-formed byte sequences of the
 * Unicode standard (table 3-7): no overlong forms, no surrogates (ED A0..BF), nothing above U+10FFFF.
 */

/** How many bytes the sequence that `lead` starts has; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The byte offset at which the first ill-formed sequence starts, or -1 when the bytes are UTF-8. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at]!;
    const length = sequenceLength(lead);
    if (length === 0 || at + length > bytes.length) return at;
    if (length > 1) {
      // The second byte's range depends on the lead byte; the others are plain continuation bytes.
      const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
      const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
      const second = bytes[at + 1]!;
      if (second < low || second > high) return at;
      for (let next = at + 2; next < at + length; next++) if ((bytes[next]! & 0xc0) !== 0x80) return at;
    }
    at += length;
  }
  return -1;
}

/** `is not UTF-8 (byte 0xfe at byte offset 17)`, the phrase of a rejection (the HTTP edge says the same). */
export function describeInvalidUtf8(bytes: Uint8Array, offset: number): string {
  return `is not UTF-8 (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')} at byte offset ${offset})`;
}
