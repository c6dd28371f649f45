/**
 * The storage layer's error codes and class (an AppError): the failing operation and key in the message,
 * the underlying error as `cause`, and whether retrying the same call may succeed.
 */
import { AppError } from '../shared/app-error.ts';

export const STORAGE_ERROR_CODES = [
  /** The store could not be reached or answered 5xx / throttled after all retries. */
  'unavailable',
  /** Credentials or permissions refused the request. */
  'access_denied',
  /** The bucket or root directory does not exist. */
  'no_such_root',
  /** Any other request failure. */
  'request_failed',
  /** Another writer committed a checkpoint that owns one of our partitions (zombie or lost race). */
  'fenced',
  /** A checkpoint object is unreadable: bad magic, truncated, or written by an unknown format version. */
  'corrupt_checkpoint',
  /** A checkpoint was written by another format version this build cannot read. */
  'unsupported_version',
  /** A committed file is missing from both staging and its final location. */
  'missing_file',
] as const;

export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

/** Storage failures: the failing operation and key in the message. */
export class StorageError extends AppError<StorageErrorCode> {}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}
