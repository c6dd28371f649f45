/**
 * Appends data files to a view's table in one version (a blind append: no conflict with anything but a
 * schema change). With a txn, a writer that crashed after committing and publishes the same work again
 * adds nothing: the commit is skipped when the table already records the txn's appId at that version.
 */
import type { ParquetColumn } from '../parquet-columns.ts';
import { commit, type CommitResult, type Txn } from './commit.ts';
import { addOf, type DataFile } from './data-file.ts';
import { DeltaError } from './delta-error.ts';
import { PARTITION_COLUMN, metaDataOf } from './schema.ts';
import type { DeltaSnapshot } from './snapshot.ts';
import { tableName, type DeltaTable } from './table-keys.ts';
import { completeWriteOptions, type DeltaWriteOptions } from './write-options.ts';

export interface AppendRequest {
  /** The files' columns: the table's schema (created from them at version 0, compared after). */
  columns: readonly ParquetColumn[];
  files: readonly DataFile[];
  txn?: Txn;
  /** metaData.name when this append creates the table; default none. */
  tableName?: string;
  /** A snapshot the caller already holds; default: the log is read. */
  from?: DeltaSnapshot;
}

export async function appendFiles(
  table: DeltaTable,
  request: AppendRequest,
  options: DeltaWriteOptions = {},
): Promise<CommitResult> {
  if (request.files.length === 0)
    throw new DeltaError('invalid_request', `delta: append to ${tableName(table)} without files`);
  const adds = request.files.map((file) => addOf(file, true));
  const nowMs = completeWriteOptions(options).nowMs();
  return commit(
    table,
    {
      operation: 'WRITE',
      operationParameters: { mode: 'Append', partitionBy: JSON.stringify([PARTITION_COLUMN]) },
      isBlindAppend: true,
      metaData: metaDataOf(request.columns, { name: request.tableName, createdTimeMs: nowMs }),
      ...(request.txn && { txn: request.txn }),
      ...(request.from && { from: request.from }),
      actions: () => adds.map((add) => ({ add })),
    },
    options,
  );
}
