/** The stack's error codes and class (an AppError): the cause, and whether a retry may help. */
import { AppError } from '../shared/app-error.ts';

export const STACK_ERROR_CODES = [
  'bad_env',
  'maven_failed',
  'start_failed',
  'start_timeout',
  'stop_failed',
  'no_container_runtime',
  'no_stack',
] as const;
export type StackErrorCode = (typeof STACK_ERROR_CODES)[number];

export class StackError extends AppError<StackErrorCode> {}

export function isStackError(error: unknown, code?: StackErrorCode): error is StackError {
  return error instanceof StackError && (code === undefined || error.code === code);
}
