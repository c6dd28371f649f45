/**
 * VACUUM: deletes the data files of the table directory that the table no longer needs. A file goes when
 * no live add names it and its tombstone (the `remove` of a compaction) is older than the deleted-file
 * retention: time travel to a version younger than the retention still finds its files.
 *
 * Unlike Spark's VACUUM, files that no add or remove names at all (written but never committed: a
 * writer that crashed, a compaction that lost a conflict) are only reported as `untracked`, never
 * deleted: the ObjectStore interface gives no modification time, so their age is unknown, and one may be
 * a file whose commit is under way. Hidden paths (a segment starting with `_` or `.`, `_delta_log/`
 * included) are never looked at, as in Delta.
 *
 * The tombstones come from the snapshot: a checkpoint keeps one only while it is younger than the
 * retention, so pass a snapshot replayed from older versions (ViewTables keeps one per table) to see the
 * tombstones the newest checkpoint dropped.
 */
import type { RemoveAction } from './actions.ts';
import { readSnapshot } from './read-snapshot.ts';
import { checkRetentionOption, retentionMs } from './retention.ts';
import { checkSupported, type DeltaSnapshot } from './snapshot.ts';
import { dataKey, tableName, type DeltaTable } from './table-keys.ts';

export interface VacuumOptions {
  /** Default 7 days (Delta's); the table property `delta.deletedFileRetentionDuration` wins when set. */
  deletedFileRetentionMs?: number;
  /** Clock, epoch ms; default Date.now. */
  nowMs?: () => number;
  /** The table's snapshot the caller holds; default: read (from the newest checkpoint). */
  snapshot?: DeltaSnapshot;
  /** Report what would be deleted, delete nothing; default false. */
  dryRun?: boolean;
}

export interface VacuumResult {
  /** Tombstones older than this were expired. */
  cutOffMs: number;
  /** Store keys of the files deleted (with dryRun: to delete). */
  deleted: string[];
  /** Removed files still within the retention: time travel may read them. */
  retained: string[];
  /** Files no add or remove names: kept (age unknown). */
  untracked: string[];
}

/** Not a data file location: any segment below the root starting with `_` or `.`. */
function hidden(relativeKey: string): boolean {
  return relativeKey.split('/').some((segment) => segment.startsWith('_') || segment.startsWith('.'));
}

export async function vacuum(table: DeltaTable, options: VacuumOptions = {}): Promise<VacuumResult> {
  checkRetentionOption('vacuum', 'deletedFileRetentionMs', options.deletedFileRetentionMs);
  const name = tableName(table);
  const nowMs = (options.nowMs ?? Date.now)();
  const snapshot = options.snapshot ?? (await readSnapshot(table));
  checkSupported(snapshot, name, 'write');
  const cutOffMs =
    nowMs - retentionMs(name, snapshot.metaData, 'deletedFile', options.deletedFileRetentionMs);

  const live = new Set([...snapshot.files.keys()].map((path) => dataKey(table, path)));
  const tombstones = new Map<string, RemoveAction>();
  for (const remove of snapshot.tombstones.values()) tombstones.set(dataKey(table, remove.path), remove);

  const result: VacuumResult = { cutOffMs, deleted: [], retained: [], untracked: [] };
  for (const key of await table.store.list(`${table.root}/`)) {
    if (hidden(key.slice(table.root.length + 1)) || live.has(key)) continue;
    const remove = tombstones.get(key);
    if (remove === undefined) result.untracked.push(key);
    else if (remove.deletionTimestamp < cutOffMs) result.deleted.push(key);
    else result.retained.push(key);
  }
  if (!options.dryRun) await table.store.deleteMany(result.deleted);
  return result;
}
