/**
 * Growable byte writer and bounds-checked reader for engine snapshots: varints (LEB128), zigzag signed
 * integers up to 2^53 (times are epoch ms, past 32 bits, so no bitwise zigzag), float64 and UTF-8
 * strings with an ASCII fast path (ids and keys are nearly always ASCII; Buffer.write per short string
 * costs a native call).
 */

/** Bytes of a UTF-8 char beyond the first (for the capacity bound of a string). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

export class ByteWriter {
  private bytes: Buffer;
  length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  private ensure(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  /** A non-negative integer up to 2^53. */
  varuint(value: number): void {
    this.ensure(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  /** A safe integer, zigzag coded so small magnitudes of either sign stay short. */
  varint(value: number): void {
    this.varuint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  f64(value: number): void {
    this.ensure(8);
    this.bytes.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  raw(from: Uint8Array): void {
    this.ensure(from.length);
    this.bytes.set(from, this.length);
    this.length += from.length;
  }

  /** Length-prefixed UTF-8. */
  string(value: string): void {
    const units = value.length;
    if (units < 128) {
      // One length byte reserved; ASCII is copied char by char, anything else through Buffer.write.
      this.ensure(1 + units * MAX_UTF8_BYTES_PER_UNIT);
      const at = this.length + 1;
      let index = 0;
      for (; index < units; index++) {
        const code = value.charCodeAt(index);
        if (code >= 0x80) break;
        this.bytes[at + index] = code;
      }
      const written = index === units ? units : this.bytes.write(value, at, 'utf8');
      if (written < 128) {
        this.bytes[this.length] = written;
        this.length = at + written;
        return;
      }
    }
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.varuint(byteLength);
    this.ensure(byteLength);
    this.length += this.bytes.write(value, this.length, 'utf8');
  }

  /** A view of the bytes written (valid until the next write). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  /** A copy of the bytes written, sized exactly. */
  finish(): Buffer {
    return Buffer.from(this.view());
  }
}

export class ByteReader {
  private readonly bytes: Buffer;
  offset = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) {
      throw new Error(
        `snapshot truncated: need ${count} bytes at offset ${this.offset} of ${this.bytes.length}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  varuint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error(`snapshot corrupt: varint too long at offset ${this.offset}`);
    }
  }

  varint(): number {
    const zigzag = this.varuint();
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }

  f64(): number {
    this.need(8);
    const value = this.bytes.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  /** Skips `count` bytes and returns where they start in `source` (no subarray allocated). */
  skip(count: number): number {
    this.need(count);
    const at = this.offset;
    this.offset += count;
    return at;
  }

  /** The whole underlying buffer (read with the offsets `skip` returns). */
  get source(): Buffer {
    return this.bytes;
  }

  /** `byteLength` bytes of UTF-8. */
  utf8(byteLength: number): string {
    const at = this.skip(byteLength);
    return this.bytes.toString('utf8', at, at + byteLength);
  }

  raw(count: number): Buffer {
    this.need(count);
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  string(): string {
    return this.utf8(this.varuint());
  }
}
