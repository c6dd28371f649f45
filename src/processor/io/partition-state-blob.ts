/**
 * The state blob the runner stores per partition in a checkpoint: one JSON line of runner facts (the idle
 * advance recorded with the offset it was applied at, and for an incremental engine snapshot the commits
 * its chain needs), then the engine's binary snapshot of the partition (`null` when the engine never saw
 * the partition). The checkpoint header already holds `nextOffset`.
 */
import { decodeSnapshot, encodeSnapshot } from '../engine/codec/snapshot-codec.ts';
import type { PartitionSnapshot } from '../engine/snapshot.ts';

export const BLOB_VERSION = 1;
const NEWLINE = 0x0a;
const NULL_ENGINE = Buffer.from('null', 'latin1');

export interface IdleAdvance {
  /** idle(p) after the advance. */
  watermarkMs: number;
  /** The partition's next offset when the advance was applied: it sits between offset − 1 and offset. */
  atOffset: number;
  /** Wall clock of the decision (for people; the redo uses watermarkMs, never the clock). */
  decidedAtMs: number;
}

/** Where the earlier ids of an incremental engine snapshot are: restore folds base … previous … this. */
export interface ChainLink {
  /** The partition's previous commit (full or incremental itself). */
  previousCommit: number;
  /** The commit holding the chain's full snapshot (pruning keeps every commit of p from there on). */
  baseCommit: number;
}

export interface PartitionBlob {
  version: typeof BLOB_VERSION;
  /** The last idle advance of this partition, if any (also inside the engine's clock state). */
  idle: IdleAdvance | null;
  /** Set when `engine` is incremental (holds only the ids since `chain.previousCommit`). */
  chain?: ChainLink | null;
  engine: PartitionSnapshot | null;
}

/** A blob from an engine snapshot already encoded (the runner's path: no deep copy of the state). */
export function encodePartitionBlobBytes(
  idle: IdleAdvance | null,
  chain: ChainLink | null,
  engineBytes: Uint8Array | null,
): Buffer {
  const header = Buffer.from(
    `${JSON.stringify(chain === null ? { version: BLOB_VERSION, idle } : { version: BLOB_VERSION, idle, chain })}\n`,
    'utf8',
  );
  return Buffer.concat([header, engineBytes ?? NULL_ENGINE]);
}

export function encodePartitionBlob(blob: PartitionBlob): Buffer {
  const engine = blob.engine === null ? null : encodeSnapshot(blob.engine);
  return encodePartitionBlobBytes(blob.idle, blob.chain ?? null, engine);
}

interface BlobHeader {
  idle: IdleAdvance | null;
  chain: ChainLink | null;
  /** Where the engine snapshot starts. */
  bodyOffset: number;
}

/** The header line alone (idle advance, chain link): cheap, for readers that need no engine state. */
export function decodePartitionBlobHeader(bytes: Uint8Array): BlobHeader {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buffer.indexOf(NEWLINE);
  if (newline < 0) throw new Error('runner partition state: no header line');
  const header = JSON.parse(buffer.toString('utf8', 0, newline)) as {
    version?: unknown;
    idle?: IdleAdvance | null;
    chain?: ChainLink | null;
  };
  if (header.version !== BLOB_VERSION) {
    throw new Error(
      `runner partition state version ${String(header.version)}, this build reads ${BLOB_VERSION}`,
    );
  }
  return { idle: header.idle ?? null, chain: header.chain ?? null, bodyOffset: newline + 1 };
}

export function decodePartitionBlob(bytes: Uint8Array): PartitionBlob {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = decodePartitionBlobHeader(buffer);
  const body = buffer.subarray(header.bodyOffset);
  const engine = body.equals(NULL_ENGINE) ? null : decodeSnapshot(body);
  const blob: PartitionBlob = { version: BLOB_VERSION, idle: header.idle, engine };
  if (header.chain !== null) blob.chain = header.chain;
  return blob;
}
