/** The one error class of the stack: a code from a closed list, the cause, and whether a retry may help. */
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

export class StackError extends Error {
  readonly code: StackErrorCode;
  readonly retryable: boolean;

  constructor(code: StackErrorCode, message: string, cause?: unknown, retryable = false) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StackError';
    this.code = code;
    this.retryable = retryable;
  }
}
