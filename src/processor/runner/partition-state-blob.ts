/**
 * The state blob the runner stores per partition in a checkpoint: one JSON line of runner facts (the idle
 * advance recorded with the offset it was applied at), then the engine's snapshot of the partition
 * (`null` when the engine never saw the partition). The checkpoint header already holds `nextOffset`.
 */
import { decodeSnapshot, encodeSnapshot, type PartitionSnapshot } from '../engine/snapshot.ts';

export const BLOB_VERSION = 1;

export interface IdleAdvance {
  /** idle(p) after the advance. */
  watermarkMs: number;
  /** The partition's next offset when the advance was applied: it sits between offset − 1 and offset. */
  atOffset: number;
  /** Wall clock of the decision (for people; the redo uses watermarkMs, never the clock). */
  decidedAtMs: number;
}

export interface PartitionBlob {
  version: typeof BLOB_VERSION;
  /** The last idle advance of this partition, if any (also inside the engine's clock state). */
  idle: IdleAdvance | null;
  engine: PartitionSnapshot | null;
}

export function encodePartitionBlob(blob: PartitionBlob): Buffer {
  const header = JSON.stringify({ version: blob.version, idle: blob.idle });
  const engine = blob.engine === null ? 'null' : encodeSnapshot(blob.engine);
  return Buffer.from(`${header}\n${engine}`, 'utf8');
}

export function decodePartitionBlob(bytes: Uint8Array): PartitionBlob {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0) throw new Error('runner partition state: no header line');
  const header = JSON.parse(text.slice(0, newline)) as { version?: unknown; idle?: IdleAdvance | null };
  if (header.version !== BLOB_VERSION) {
    throw new Error(
      `runner partition state version ${String(header.version)}, this build reads ${BLOB_VERSION}`,
    );
  }
  const body = text.slice(newline + 1);
  const engine = body === 'null' ? null : decodeSnapshot<PartitionSnapshot>(body);
  return { version: BLOB_VERSION, idle: header.idle ?? null, engine };
}
