import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
  type Checkpoint,
} from '../../src/processor/io/checkpoint-codec.ts';
import { isStorageError } from '../../src/storage/storage-error.ts';

function checkpoint(stateBytes: number): Checkpoint {
  return {
    job: 'auth',
    commit: 42,
    writerId: 'w1',
    createdAtMs: 1_700_000_000_000,
    partitions: [
      { topic: 'lms.auth', partition: 0, nextOffset: 1234, state: Buffer.alloc(stateBytes, 'ab') },
      { topic: 'lms.auth', partition: 3, nextOffset: 0, state: Buffer.from([0, 255, 7]) },
    ],
    files: [
      {
        staging: 'checkpoints/x/staging/1/a.parquet',
        final: 'realtime_views/v/date=2024-01-01/auth-1.parquet',
      },
    ],
  };
}

describe('checkpoint codec', () => {
  it('round-trips a small checkpoint byte for byte', async () => {
    const original = checkpoint(10);
    expect(await decodeCheckpoint('k', await encodeCheckpoint(original))).toEqual(original);
  });

  it('compresses a large, repetitive state and still round-trips it', async () => {
    const original = checkpoint(200_000);
    const bytes = await encodeCheckpoint(original);
    expect(bytes.length).toBeLessThan(20_000);
    const decoded = await decodeCheckpoint('k', bytes);
    expect(Buffer.compare(decoded.partitions[0]!.state, original.partitions[0]!.state)).toBe(0);
    expect(decoded.partitions.map((p) => p.nextOffset)).toEqual([1234, 0]);
  });

  it('refuses another format version and names both versions', async () => {
    const bytes = await encodeCheckpoint(checkpoint(10));
    bytes[4] = CHECKPOINT_VERSION + 1;
    let caught: unknown;
    try {
      await decodeCheckpoint('commits/000000000042.ckpt', bytes);
    } catch (error) {
      caught = error;
    }
    expect(isStorageError(caught, 'unsupported_version')).toBe(true);
    expect((caught as Error).message).toContain(`format version ${CHECKPOINT_VERSION + 1}`);
    expect((caught as Error).message).toContain(`reads version ${CHECKPOINT_VERSION}`);
    expect((caught as Error).message).toContain('commits/000000000042.ckpt');
  });

  it('reports a truncated or foreign object as corrupt', async () => {
    const bytes = await encodeCheckpoint(checkpoint(10));
    await expect(decodeCheckpoint('k', bytes.subarray(0, bytes.length - 2))).rejects.toThrow(/truncated/);
    await expect(decodeCheckpoint('k', Buffer.from('PAR1 not a checkpoint'))).rejects.toThrow(/bad magic/);
  });
});
