import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../src/processor/engine/codec/byte-buffer.ts';
import { readIdMemory, writeIdMemory } from '../../src/processor/engine/codec/id-memory-codec.ts';
import { PlainDecoder, PlainEncoder } from '../../src/processor/engine/codec/plain-codec.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/processor/engine/codec/snapshot-codec.ts';
import { SNAPSHOT_VERSION, type PartitionSnapshot } from '../../src/processor/engine/snapshot.ts';

function roundTripIds(entries: [string, number][]): Map<string, number> {
  const writer = new ByteWriter(16);
  writeIdMemory(writer, entries, entries.length);
  const decoded = new Map<string, number>();
  readIdMemory(new ByteReader(writer.finish()), decoded);
  return decoded;
}

/** A snapshot of partition 0 of lms.auth with no view state, remembering `seen`. */
function emptyAuthSnapshot(seen: [string, number][] = []): PartitionSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    job: 'auth',
    topic: 'lms.auth',
    partition: 0,
    clock: { maxTimeMs: 1000, idleWatermarkMs: 0, ended: false, seen },
    views: {},
  };
}

describe('the binary engine snapshot', () => {
  it('gives back every event id byte for byte: UUIDs in any spelling, short ids, non-ASCII and 64-char ids', () => {
    const uuid = randomUUID();
    const entries: [string, number][] = [
      [uuid, 1_736_150_400_000],
      [uuid.toUpperCase(), 1_736_150_399_000],
      [`{${uuid}}`, 1_736_150_401_000],
      ['e-1', -5],
      ['ünïcødé-✓-𝄞', 0],
      ['x'.repeat(64), 2 ** 52],
      ['é'.repeat(64), 1],
      ['', 7],
    ];
    expect([...roundTripIds(entries)]).toEqual(entries);
  });

  it('stores a lowercase UUID in 16 bytes plus its time', () => {
    const writer = new ByteWriter();
    writeIdMemory(writer, [[randomUUID(), 5]], 1);
    expect(writer.length).toBe(1 + 1 + 16 + 1);
  });

  it('round-trips plain view state with Sets, Maps, nested arrays, shared strings and special numbers', () => {
    const value = {
      users: new Set(['u1', 'u2']),
      byVideo: new Map([['v1', { plays: 3, users: new Set(['u1']) }]]),
      sessions: [['u1', [{ firstMs: 1_736_150_400_000, lastMs: -1, state: null }]]],
      numbers: [0, -0, 0.1, -3, 2 ** 53 + 2, Infinity, -Infinity, NaN],
      flags: [true, false, undefined],
    };
    const writer = new ByteWriter(8);
    const encoder = new PlainEncoder(writer);
    encoder.value(value);
    encoder.value('u2'); // a second value sharing the string table
    const decoder = new PlainDecoder(new ByteReader(writer.finish()));
    const decoded = decoder.value() as typeof value;
    expect(decoded).toEqual(value);
    expect(Object.is(decoded.numbers[1], -0)).toBe(true);
    expect(decoder.value()).toBe('u2');
  });

  it('round-trips a whole partition snapshot and marks an incremental one', () => {
    const snapshot: PartitionSnapshot = {
      version: SNAPSHOT_VERSION,
      job: 'auth',
      topic: 'lms.auth',
      partition: 3,
      clock: { maxTimeMs: 1000, idleWatermarkMs: -Infinity, ended: false, seen: new Map([['e1', 900]]) },
      views: { auth_realtime_login_rate: { kind: 'tumbling', windows: [[0, [['', { attempts: 2 }]]]] } },
      incremental: true,
    };
    expect(decodeSnapshot(encodeSnapshot(snapshot))).toEqual(snapshot);
  });

  it('refuses a snapshot of the JSON format (version 1), naming both versions', () => {
    const legacy = Buffer.from(JSON.stringify({ version: 1, job: 'auth', clock: {}, views: {} }));
    expect(() => decodeSnapshot(legacy)).toThrow(/format version 1 \(JSON\), this build reads version 3/);
  });

  it('refuses a binary snapshot of version 2, whose aggregate states have another shape', () => {
    const bytes = encodeSnapshot(emptyAuthSnapshot());
    bytes[4] = 2; // the version byte after the 4-byte magic
    expect(() => decodeSnapshot(bytes)).toThrow(/format version 2, this build reads version 3/);
  });

  it('refuses a truncated snapshot instead of reading past its end', () => {
    const bytes = encodeSnapshot(emptyAuthSnapshot([['e1', 1]]));
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
  });
});
