/**
 * Writes the checkpoint of a snapshot: `<version>.checkpoint.parquet`, then `_last_checkpoint` pointing at
 * it (only if it does not already point further). Both are plain puts: a checkpoint's content is a pure
 * function of the table at its version, so two writers writing the same one write equivalent files, and a
 * reader that finds `_last_checkpoint` stale just lists a few more commits.
 */
import { checkpointActions, encodeCheckpoint } from './checkpoint-parquet.ts';
import type { DeltaSnapshot } from './snapshot.ts';
import { checkpointKey, lastCheckpointKey, type DeltaTable } from './table-keys.ts';

export interface LastCheckpoint {
  version: number;
  /** Number of actions (rows) in the checkpoint. */
  size: number;
  sizeInBytes: number;
  numOfAddFiles: number;
}

export async function readLastCheckpoint(table: DeltaTable): Promise<LastCheckpoint | undefined> {
  const body = await table.store.get(lastCheckpointKey(table));
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as LastCheckpoint;
  } catch {
    return undefined; // a hint only: a damaged one is rewritten by the next checkpoint
  }
}

export async function writeCheckpoint(
  table: DeltaTable,
  snapshot: DeltaSnapshot,
  tombstonesSinceMs: number,
): Promise<LastCheckpoint> {
  const actions = checkpointActions(snapshot, tombstonesSinceMs);
  const body = encodeCheckpoint(actions);
  await table.store.put(checkpointKey(table, snapshot.version), body);
  const written: LastCheckpoint = {
    version: snapshot.version,
    size: actions.length,
    sizeInBytes: body.length,
    numOfAddFiles: snapshot.files.size,
  };
  const previous = await readLastCheckpoint(table);
  if (previous === undefined || !(previous.version >= written.version))
    await table.store.put(lastCheckpointKey(table), Buffer.from(JSON.stringify(written), 'utf8'));
  return written;
}
