/**
 * The batch layer's error codes and class (an AppError). Bad requests (an unknown view, a day that is not
 * closed or has no archive) are refused before anything is written, with the reason in one line.
 */
import { AppError } from '../shared/app-error.ts';

export const BATCH_ERROR_CODES = [
  /** A view name that is not in the catalog. */
  'unknown_view',
  /** A day whose completeness has not passed its end plus the look-ahead. */
  'day_not_closed',
  /** A day with no archived event on the topics of the views asked for. */
  'no_archive',
  /** Dates that are not `YYYY-MM-DD`, or a range that ends before it starts. */
  'bad_days',
  /** Reconciling a day the batch layer has not computed (for a view asked for). */
  'no_batch_day',
  /** Reconciling a day of which the speed layer has published no row (in any view asked for). */
  'no_speed_rows',
  /** A manifest that is not the JSON this program writes. */
  'corrupt_manifest',
] as const;

export type BatchErrorCode = (typeof BATCH_ERROR_CODES)[number];

export class BatchError extends AppError<BatchErrorCode> {}

export function isBatchError(error: unknown, code?: BatchErrorCode): error is BatchError {
  return error instanceof BatchError && (code === undefined || error.code === code);
}
