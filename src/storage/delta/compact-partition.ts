/**
 * Compaction of one date partition: the caller has merged some live files of the partition into one new
 * file (already in the store); one version removes the old files and adds the new one, both with
 * dataChange false, so readers see the swap atomically and time travel to an earlier version still finds
 * the old files (not deleted here: `vacuum` deletes them once the deleted-file retention has passed). A
 * concurrent append to the same partition does not conflict; a concurrent compaction that already removed
 * one of the replaced files does (`conflict`): the caller's merged file would duplicate rows.
 */
import { removeOf } from './actions.ts';
import { commit, type CommitResult } from './commit.ts';
import { addOf, type DataFile } from './data-file.ts';
import { DeltaError } from './delta-error.ts';
import type { DeltaSnapshot } from './snapshot.ts';
import { partitionDateOfPath, tableName, toDeltaPath, type DeltaTable } from './table-keys.ts';
import { completeWriteOptions, type DeltaWriteOptions } from './write-options.ts';

export interface CompactRequest {
  /** Paths (as the live adds hold them, see `liveFiles`) of the files the merged file replaces. */
  replaced: readonly string[];
  /** The merged file, in the same date partition. */
  merged: DataFile;
  /** A snapshot the caller already holds; default: the log is read. */
  from?: DeltaSnapshot;
}

function checkRequest(table: DeltaTable, request: CompactRequest): void {
  const date = partitionDateOfPath(request.merged.path);
  const mergedPath = toDeltaPath(request.merged.path);
  if (request.replaced.length === 0)
    throw new DeltaError(
      'invalid_request',
      `delta: compaction of ${tableName(table)} date=${date} replaces no file`,
    );
  for (const path of request.replaced) {
    if (path === mergedPath)
      throw new DeltaError(
        'invalid_request',
        `delta: compaction of ${tableName(table)} replaces its own output ${path}`,
      );
    if (decodeURIComponent(path.split('/')[0] ?? '') !== `date=${date}`)
      throw new DeltaError(
        'invalid_request',
        `delta: compaction of ${tableName(table)} date=${date} replaces ${path} of another partition`,
      );
  }
}

export async function compactPartition(
  table: DeltaTable,
  request: CompactRequest,
  options: DeltaWriteOptions = {},
): Promise<CommitResult> {
  checkRequest(table, request);
  const { nowMs } = completeWriteOptions(options);
  return commit(
    table,
    {
      operation: 'OPTIMIZE',
      operationParameters: {
        predicate: JSON.stringify([`date = '${partitionDateOfPath(request.merged.path)}'`]),
      },
      isBlindAppend: false,
      ...(request.from && { from: request.from }),
      actions: (snapshot) => {
        const deletionTimestampMs = nowMs();
        const removes = request.replaced.map((path) => {
          const live = snapshot.files.get(path);
          if (live === undefined)
            throw new DeltaError(
              'conflict',
              `delta: compaction of ${tableName(table)}: ${path} is no longer live at version ${snapshot.version} (another compaction?)`,
            );
          return { remove: removeOf(live, deletionTimestampMs, false) };
        });
        return [...removes, { add: addOf(request.merged, false) }];
      },
    },
    options,
  );
}
