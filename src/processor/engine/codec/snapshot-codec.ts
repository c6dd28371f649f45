/**
 * Engine snapshots in binary, one self-contained piece per partition: `SLES`, version (u8), flags (u8),
 * job, topic, partition, the clock, the id memory (id-memory-codec.ts), then each view's plain state
 * (plain-codec.ts). Flag 1 marks an incremental piece (see ../snapshot.ts).
 */
import type { PartitionClockState } from '../partition-clock.ts';
import { SNAPSHOT_VERSION, type PartitionSnapshot } from '../snapshot.ts';
import type { PlainViewState } from '../view-state.ts';
import { ByteReader, ByteWriter } from './byte-buffer.ts';
import { readIdMemory, writeIdMemory } from './id-memory-codec.ts';
import { PlainDecoder, PlainEncoder } from './plain-codec.ts';
import { runSteps, type Steps } from '../steps.ts';

const MAGIC = Buffer.from('SLES', 'latin1');
const FLAG_INCREMENTAL = 1;

function sizeOf(ids: PartitionClockState['seen']): number {
  if (ids instanceof Map) return ids.size;
  if (Array.isArray(ids)) return ids.length;
  let count = 0;
  for (const _ of ids) count++;
  return count;
}

export function encodeSnapshot(snapshot: PartitionSnapshot): Buffer {
  return runSteps(encodeSnapshotSteps(snapshot));
}

/**
 * encodeSnapshot in steps: it yields after the id memory and after each view, so that a caller may let
 * other work run between them (a whole partition of a busy job is hundreds of ms). The snapshot must not
 * change until the last step.
 */
export function* encodeSnapshotSteps(snapshot: PartitionSnapshot): Steps<Buffer> {
  const writer = new ByteWriter();
  writer.raw(MAGIC);
  writer.u8(SNAPSHOT_VERSION);
  writer.u8(snapshot.incremental === true ? FLAG_INCREMENTAL : 0);
  writer.string(snapshot.job);
  writer.string(snapshot.topic);
  writer.varuint(snapshot.partition);
  const { clock } = snapshot;
  writer.f64(clock.maxTimeMs);
  writer.f64(clock.idleWatermarkMs);
  writer.u8(clock.ended ? 1 : 0);
  writeIdMemory(writer, clock.seen, sizeOf(clock.seen));
  yield;
  const names = Object.keys(snapshot.views);
  writer.varuint(names.length);
  const encoder = new PlainEncoder(writer);
  for (const name of names) {
    writer.string(name);
    encoder.value(snapshot.views[name]);
    yield;
  }
  return writer.finish();
}

/** The version of a snapshot written by an older build (JSON text), for the error message. */
function legacyVersion(bytes: Uint8Array): string {
  try {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return String((JSON.parse(text) as { version?: unknown }).version);
  } catch {
    return 'unknown';
  }
}

/** What an operator can do with a checkpoint of another format (CHANGELOG.md, "Checkpoint formats"). */
const UPGRADE_HINT =
  'run the build that wrote it, or start the job from scratch under new CHECKPOINTS_PREFIX, VIEWS_PREFIX and ' +
  'DEAD_LETTER_PREFIX';

export function decodeSnapshot(bytes: Uint8Array): PartitionSnapshot {
  if (bytes.length > 0 && bytes[0] === 0x7b /* '{' */) {
    throw new Error(
      `engine snapshot has format version ${legacyVersion(bytes)} (JSON), this build reads version ${SNAPSHOT_VERSION}; ${UPGRADE_HINT}`,
    );
  }
  const reader = new ByteReader(bytes);
  if (bytes.length < MAGIC.length + 2 || !reader.raw(MAGIC.length).equals(MAGIC)) {
    throw new Error('engine snapshot: bad magic (not an engine snapshot)');
  }
  const version = reader.u8();
  if (version !== SNAPSHOT_VERSION) {
    throw new Error(
      `engine snapshot has format version ${version}, this build reads version ${SNAPSHOT_VERSION}; ${UPGRADE_HINT}`,
    );
  }
  const flags = reader.u8();
  const job = reader.string();
  const topic = reader.string();
  const partition = reader.varuint();
  const maxTimeMs = reader.f64();
  const idleWatermarkMs = reader.f64();
  const ended = reader.u8() === 1;
  const seen = new Map<string, number>();
  readIdMemory(reader, seen);
  const views: Record<string, PlainViewState> = {};
  const decoder = new PlainDecoder(reader);
  const viewCount = reader.varuint();
  for (let index = 0; index < viewCount; index++) {
    const name = reader.string();
    views[name] = decoder.value() as PlainViewState;
  }
  if (reader.remaining !== 0) throw new Error(`engine snapshot: ${reader.remaining} bytes after the views`);
  const snapshot: PartitionSnapshot = {
    version: SNAPSHOT_VERSION,
    job,
    topic,
    partition,
    clock: { maxTimeMs, idleWatermarkMs, ended, seen },
    views,
  };
  if ((flags & FLAG_INCREMENTAL) !== 0) snapshot.incremental = true;
  return snapshot;
}
