/**
 * The Delta log writer's error codes and class (an AppError): the table root and the version in the
 * message, the underlying error as `cause`, and whether retrying the same call may succeed.
 * Storage failures of the object store itself stay StorageErrors.
 */
import { AppError } from '../../shared/app-error.ts';

export const DELTA_ERROR_CODES = [
  /** A log file (commit, checkpoint) cannot be parsed, or the versions in the log have a gap. */
  'corrupt_log',
  /** The table needs a reader or writer protocol this writer does not implement. */
  'unsupported_protocol',
  /** The table's schema or partition columns differ from the columns the caller writes. */
  'schema_mismatch',
  /** A concurrent commit invalidated this one (e.g. it removed a file a compaction replaces). */
  'conflict',
  /** Every attempt found its version taken by another writer. */
  'too_many_conflicts',
  /** The caller asked for something the table cannot hold (bad path, date, column name). */
  'invalid_request',
] as const;

export type DeltaErrorCode = (typeof DELTA_ERROR_CODES)[number];

export class DeltaError extends AppError<DeltaErrorCode> {}

export function isDeltaError(error: unknown, code?: DeltaErrorCode): error is DeltaError {
  return error instanceof DeltaError && (code === undefined || error.code === code);
}
