/**
 * The checkpoint object's bytes: `SLCK` magic, format version (u8), codec (u8), then the body, gzipped
 * when it is larger than a page: u32 header length, a JSON header (job, commit, writer, partitions with
 * their next offsets and state sizes, staged → final file keys), then the partitions' state blobs
 * back to back. The engine's snapshots stay opaque binary (no base64 inflation); reading any other version
 * fails with a message naming both versions.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import { StorageError } from '../../storage/storage-error.ts';

// On libuv's thread pool: a checkpoint of a busy job is megabytes, and the job's loop must not stall on it.
const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/** 2: partitions carry wm(p) and partial rows live under the partials prefix (1: partial rows in the views tree). */
export const CHECKPOINT_VERSION = 2;
const MAGIC = Buffer.from('SLCK', 'ascii');
const PREFIX_BYTES = MAGIC.length + 2;
/** Bodies below this are stored raw: gzip's header and CPU are not worth it. */
const COMPRESS_ABOVE_BYTES = 4096;
const CODEC_RAW = 0;
const CODEC_GZIP = 1;

/** One partition's entry in a checkpoint: where its input resumes and the engine's state (opaque here). */
export interface CheckpointPartition {
  topic: string;
  partition: number;
  /** The offset of the first record not yet reflected in `state`. */
  nextOffset: number;
  /** The engine's snapshot of this partition (opaque here). */
  state: Uint8Array;
  /**
   * Set when `state` is incremental: the oldest commit its restore reads (the chain's full state). Pruning
   * keeps every commit holding the partition from there on. Absent: `state` is self-contained.
   */
  baseCommit?: number;
  /** wm(p) reflected in `state` (−∞ before the first event or idle advance): completion reads it cheaply. */
  watermarkMs?: number;
}

export interface StagedFile {
  staging: string;
  final: string;
}

export interface Checkpoint {
  job: string;
  commit: number;
  writerId: string;
  createdAtMs: number;
  partitions: CheckpointPartition[];
  files: StagedFile[];
}

interface Header extends Omit<Checkpoint, 'partitions'> {
  version: number;
  partitions: {
    topic: string;
    partition: number;
    nextOffset: number;
    stateBytes: number;
    baseCommit?: number;
    watermark?: number | 'inf' | '-inf';
  }[];
}

/** JSON has no infinities: they travel as strings. */
function encodeWatermark(ms: number): number | 'inf' | '-inf' {
  if (ms === Infinity) return 'inf';
  return ms === -Infinity ? '-inf' : ms;
}

function decodeWatermark(value: number | 'inf' | '-inf'): number {
  if (value === 'inf') return Infinity;
  return value === '-inf' ? -Infinity : value;
}

export async function encodeCheckpoint(checkpoint: Checkpoint): Promise<Buffer> {
  const header: Header = {
    ...checkpoint,
    version: CHECKPOINT_VERSION,
    partitions: checkpoint.partitions.map(
      ({ topic, partition, nextOffset, state, baseCommit, watermarkMs }) => ({
        topic,
        partition,
        nextOffset,
        stateBytes: state.byteLength,
        ...(baseCommit === undefined ? {} : { baseCommit }),
        ...(watermarkMs === undefined ? {} : { watermark: encodeWatermark(watermarkMs) }),
      }),
    ),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const headerLength = Buffer.alloc(4);
  headerLength.writeUInt32BE(headerBytes.length);
  const body = Buffer.concat([headerLength, headerBytes, ...checkpoint.partitions.map((p) => p.state)]);
  const compress = body.length > COMPRESS_ABOVE_BYTES;
  const prefix = Buffer.concat([MAGIC, Buffer.from([CHECKPOINT_VERSION, compress ? CODEC_GZIP : CODEC_RAW])]);
  return Buffer.concat([prefix, compress ? await gzip(body, { level: 1 }) : body]);
}

function corrupt(key: string, why: string, cause?: unknown): StorageError {
  return new StorageError('corrupt_checkpoint', `checkpoint ${key}: ${why}`, { cause });
}

/** Decodes a checkpoint read from `key` (the key only names it in errors). */
export async function decodeCheckpoint(key: string, bytes: Buffer): Promise<Checkpoint> {
  if (bytes.length < PREFIX_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt(key, 'not a speed-layer checkpoint (bad magic)');
  }
  const version = bytes[MAGIC.length]!;
  if (version !== CHECKPOINT_VERSION) {
    throw new StorageError(
      'unsupported_version',
      `checkpoint ${key} has format version ${version}, this build reads version ${CHECKPOINT_VERSION}; ` +
        (version === 1
          ? 'version 1 kept partial rows in the views tree, which now holds complete rows only (CHANGELOG.md): '
          : '') +
        `run the build that wrote it, or start the job from scratch with new checkpoint and views prefixes`,
    );
  }
  const codec = bytes[MAGIC.length + 1]!;
  if (codec !== CODEC_RAW && codec !== CODEC_GZIP) throw corrupt(key, `unknown codec ${codec}`);
  let body: Buffer;
  try {
    body = codec === CODEC_GZIP ? await gunzip(bytes.subarray(PREFIX_BYTES)) : bytes.subarray(PREFIX_BYTES);
  } catch (error) {
    throw corrupt(key, 'gzip body unreadable', error);
  }
  const headerLength = body.length >= 4 ? body.readUInt32BE(0) : -1;
  if (headerLength < 0 || 4 + headerLength > body.length) throw corrupt(key, 'truncated header');
  let header: Header;
  try {
    header = JSON.parse(body.toString('utf8', 4, 4 + headerLength)) as Header;
  } catch (error) {
    throw corrupt(key, 'header is not JSON', error);
  }
  let offset = 4 + headerLength;
  const partitions = header.partitions.map(
    ({ topic, partition, nextOffset, stateBytes, baseCommit, watermark }) => {
      if (offset + stateBytes > body.length) throw corrupt(key, `truncated state of ${topic}-${partition}`);
      const state = Buffer.from(body.subarray(offset, offset + stateBytes));
      offset += stateBytes;
      const snapshot: CheckpointPartition = { topic, partition, nextOffset, state };
      if (typeof baseCommit === 'number') snapshot.baseCommit = baseCommit;
      if (watermark !== undefined) snapshot.watermarkMs = decodeWatermark(watermark);
      return snapshot;
    },
  );
  const { job, commit, writerId, createdAtMs, files } = header;
  return { job, commit, writerId, createdAtMs, partitions, files };
}
