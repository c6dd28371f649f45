/**
 * Binary encoding of plain view state (numbers, strings, booleans, null, arrays, plain objects, Sets and
 * Maps — what aggregates hold), replacing JSON with tagged Sets/Maps. Every string (object keys too) is
 * written once per snapshot and referred to by index afterwards: user ids recur across views and
 * windows, property names in every aggregate state.
 */
import type { ByteReader, ByteWriter } from './byte-buffer.ts';

const TAG_NULL = 0;
const TAG_UNDEFINED = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_INT = 4;
const TAG_FLOAT = 5;
const TAG_STRING = 6;
const TAG_STRING_REF = 7;
const TAG_ARRAY = 8;
const TAG_OBJECT = 9;
const TAG_SET = 10;
const TAG_MAP = 11;

export class PlainEncoder {
  private readonly strings = new Map<string, number>();

  constructor(readonly writer: ByteWriter) {}

  /** A string, as a reference when it was written before. */
  string(value: string): void {
    const index = this.strings.get(value);
    if (index !== undefined) {
      this.writer.u8(TAG_STRING_REF);
      this.writer.varuint(index);
      return;
    }
    this.strings.set(value, this.strings.size);
    this.writer.u8(TAG_STRING);
    this.writer.string(value);
  }

  value(value: unknown): void {
    const writer = this.writer;
    switch (typeof value) {
      case 'number':
        if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
          writer.u8(TAG_INT);
          writer.varint(value);
        } else {
          writer.u8(TAG_FLOAT);
          writer.f64(value);
        }
        return;
      case 'string':
        return this.string(value);
      case 'boolean':
        return writer.u8(value ? TAG_TRUE : TAG_FALSE);
      case 'undefined':
        return writer.u8(TAG_UNDEFINED);
      case 'object':
        return this.object(value);
      default:
        throw new Error(`snapshot: cannot encode a ${typeof value} in view state`);
    }
  }

  private object(value: object | null): void {
    const writer = this.writer;
    if (value === null) return writer.u8(TAG_NULL);
    if (Array.isArray(value)) {
      writer.u8(TAG_ARRAY);
      writer.varuint(value.length);
      for (const item of value as unknown[]) this.value(item);
    } else if (value instanceof Set) {
      writer.u8(TAG_SET);
      writer.varuint(value.size);
      for (const item of value as Set<unknown>) this.value(item);
    } else if (value instanceof Map) {
      writer.u8(TAG_MAP);
      writer.varuint(value.size);
      for (const [key, item] of value as Map<unknown, unknown>) {
        this.value(key);
        this.value(item);
      }
    } else {
      const keys = Object.keys(value);
      writer.u8(TAG_OBJECT);
      writer.varuint(keys.length);
      for (const key of keys) {
        this.string(key);
        this.value((value as Record<string, unknown>)[key]);
      }
    }
  }
}

export class PlainDecoder {
  private readonly strings: string[] = [];

  constructor(readonly reader: ByteReader) {}

  value(): unknown {
    const reader = this.reader;
    const tag = reader.u8();
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_UNDEFINED:
        return undefined;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT:
        return reader.varint();
      case TAG_FLOAT:
        return reader.f64();
      case TAG_STRING: {
        const value = reader.string();
        this.strings.push(value);
        return value;
      }
      case TAG_STRING_REF: {
        const index = reader.varuint();
        if (index >= this.strings.length) throw new Error(`snapshot corrupt: string #${index} unknown`);
        return this.strings[index];
      }
      case TAG_ARRAY: {
        const length = reader.varuint();
        const array: unknown[] = [];
        for (let index = 0; index < length; index++) array.push(this.value());
        return array;
      }
      case TAG_OBJECT: {
        const count = reader.varuint();
        const object: Record<string, unknown> = {};
        for (let index = 0; index < count; index++) {
          const key = this.value();
          if (typeof key !== 'string') throw new Error('snapshot corrupt: object key is not a string');
          object[key] = this.value();
        }
        return object;
      }
      case TAG_SET: {
        const size = reader.varuint();
        const set = new Set<unknown>();
        for (let index = 0; index < size; index++) set.add(this.value());
        return set;
      }
      case TAG_MAP: {
        const size = reader.varuint();
        const map = new Map<unknown, unknown>();
        for (let index = 0; index < size; index++) map.set(this.value(), this.value());
        return map;
      }
      default:
        throw new Error(`snapshot corrupt: unknown value tag ${tag} at offset ${reader.offset - 1}`);
    }
  }
}
