/**
 * Replaces the content of one date partition in one version: every file live in the partition when the
 * commit is built is removed and the new files are added, both with dataChange true (the rows changed),
 * as Spark's `replaceWhere` overwrite does. Readers see the old day or the new day, never both. With no
 * new files the partition becomes empty; on a missing table the commit creates it (metaData from the
 * columns). The files must be in the store before the call; the removed ones are left for the caller.
 */
import type { ParquetColumn } from '../parquet-columns.ts';
import { removeOf } from './actions.ts';
import { commit, type CommitResult } from './commit.ts';
import { addOf, type DataFile } from './data-file.ts';
import { DeltaError } from './delta-error.ts';
import { PARTITION_COLUMN, metaDataOf } from './schema.ts';
import { liveFiles, type DeltaSnapshot } from './snapshot.ts';
import { partitionDateOfPath, tableName, type DeltaTable } from './table-keys.ts';
import { completeWriteOptions, type DeltaWriteOptions } from './write-options.ts';

export interface ReplaceRequest {
  /** The table's columns (the schema at version 0, compared after). */
  columns: readonly ParquetColumn[];
  /** The partition replaced, `YYYY-MM-DD`. */
  date: string;
  /** Its new files, all in `date=<date>/`; may be empty. */
  files: readonly DataFile[];
  /** metaData.name when this commit creates the table. */
  tableName?: string;
  from?: DeltaSnapshot;
}

export async function replacePartition(
  table: DeltaTable,
  request: ReplaceRequest,
  options: DeltaWriteOptions = {},
): Promise<CommitResult> {
  for (const file of request.files)
    if (partitionDateOfPath(file.path) !== request.date)
      throw new DeltaError(
        'invalid_request',
        `delta: replacing ${tableName(table)} date=${request.date} with ${file.path} of another partition`,
      );
  const adds = request.files.map((file) => addOf(file, true));
  const { nowMs } = completeWriteOptions(options);
  return commit(
    table,
    {
      operation: 'WRITE',
      operationParameters: {
        mode: 'Overwrite',
        partitionBy: JSON.stringify([PARTITION_COLUMN]),
        predicate: JSON.stringify([`${PARTITION_COLUMN} = '${request.date}'`]),
      },
      isBlindAppend: false,
      metaData: metaDataOf(request.columns, { name: request.tableName, createdTimeMs: nowMs() }),
      ...(request.from && { from: request.from }),
      actions: (snapshot) => {
        const deletionTimestampMs = nowMs();
        const removes = liveFiles(snapshot, request.date).map((live) => ({
          remove: removeOf(live, deletionTimestampMs, true),
        }));
        return [...removes, ...adds.map((add) => ({ add }))];
      },
    },
    options,
  );
}
