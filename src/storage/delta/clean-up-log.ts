/**
 * Log cleanup (PROTOCOL.md "Metadata Cleanup", Delta's expired-log cleanup): the log keeps every version
 * younger than the log retention readable by time travel, and drops what only older versions need.
 *
 * With cutOffMs = now - retention, the cut-off checkpoint is the newest checkpoint whose version is not
 * newer than cutOffMs (a version's time is its commit's `commitInfo.timestamp`: the store gives no
 * modification times) and not past the one `_last_checkpoint` names (Delta's threshold). Everything
 * versioned before it goes: commits, checkpoints, checksums. The cut-off checkpoint, its commit and
 * every version after it stay, so the newest checkpoint, `_last_checkpoint` and the snapshot a reader
 * builds from them are never touched. No `_last_checkpoint` or no checkpoint old enough: nothing goes.
 */
import { parseCommit } from './actions.ts';
import { readSnapshot } from './read-snapshot.ts';
import { checkRetentionOption, retentionMs } from './retention.ts';
import { checkSupported, type DeltaSnapshot } from './snapshot.ts';
import {
  commitKey,
  logFileOfKey,
  logPrefix,
  tableName,
  versionOfLogKey,
  type DeltaTable,
} from './table-keys.ts';
import { readLastCheckpoint } from './write-checkpoint.ts';

export interface LogCleanupOptions {
  /** Default 30 days (Delta's); the table property `delta.logRetentionDuration` wins when set. */
  logRetentionMs?: number;
  /** Clock, epoch ms; default Date.now. */
  nowMs?: () => number;
  /** The table's snapshot the caller holds (for its protocol and properties); default: read. */
  snapshot?: DeltaSnapshot;
}

export type LogCleanupResult =
  | { outcome: 'cleaned'; cutOffMs: number; cutOffCheckpoint: number; deleted: string[] }
  | { outcome: 'kept'; reason: 'no_checkpoint' | 'retention_not_reached' };

/** A version's time: its commit's commitInfo.timestamp; undefined when the commit is gone or has none. */
async function versionTimeMs(table: DeltaTable, version: number): Promise<number | undefined> {
  const key = commitKey(table, version);
  const body = await table.store.get(key);
  if (body === undefined) return undefined;
  for (const action of parseCommit(body, key)) if ('commitInfo' in action) return action.commitInfo.timestamp;
  return undefined;
}

/**
 * The newest of `checkpoints` (ascending) not newer than `cutOffMs`. Times are read oldest first and the
 * search stops at the first newer one, so a clock that went back later can't pull the cut-off past a
 * version still in the retention (Delta makes its times monotonic for the same reason). A checkpoint whose
 * time is unknown is skipped: it goes only if a later one is old enough.
 */
async function cutOffCheckpoint(
  table: DeltaTable,
  checkpoints: readonly number[],
  cutOffMs: number,
): Promise<number | undefined> {
  let found: number | undefined;
  for (const version of checkpoints) {
    const timeMs = await versionTimeMs(table, version);
    if (timeMs === undefined) continue;
    if (timeMs > cutOffMs) break;
    found = version;
  }
  return found;
}

export async function cleanUpLog(
  table: DeltaTable,
  options: LogCleanupOptions = {},
): Promise<LogCleanupResult> {
  checkRetentionOption('cleanUpLog', 'logRetentionMs', options.logRetentionMs);
  const name = tableName(table);
  const nowMs = (options.nowMs ?? Date.now)();
  const keys = await table.store.list(logPrefix(table));
  const last = await readLastCheckpoint(table);
  const lastVersion = typeof last?.version === 'number' ? last.version : -1;
  const checkpoints: number[] = [];
  for (const key of keys) {
    const file = logFileOfKey(table, key);
    if (file?.kind === 'checkpoint' && file.version <= lastVersion) checkpoints.push(file.version);
  }
  if (checkpoints.length === 0) return { outcome: 'kept', reason: 'no_checkpoint' };

  const snapshot = options.snapshot ?? (await readSnapshot(table));
  checkSupported(snapshot, name, 'write');
  const cutOffMs = nowMs - retentionMs(name, snapshot.metaData, 'log', options.logRetentionMs);
  const cutOff = await cutOffCheckpoint(table, checkpoints, cutOffMs);
  if (cutOff === undefined) return { outcome: 'kept', reason: 'retention_not_reached' };

  const deleted = keys.filter((key) => (versionOfLogKey(table, key) ?? Infinity) < cutOff);
  await table.store.deleteMany(deleted);
  return { outcome: 'cleaned', cutOffMs, cutOffCheckpoint: cutOff, deleted };
}
