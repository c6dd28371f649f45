/**
 * The one error base class of the infrastructure layers (storage, runner, stack): a `code` from each
 * layer's closed `as const` list, the underlying error as `cause`, and whether retrying the same call
 * may succeed. Bad input is data, not an exception, and never takes this path.
 */
export interface AppErrorOptions {
  cause?: unknown;
  /** Retrying the same call (or restarting the job) may succeed; default false. */
  retryable?: boolean;
}

export class AppError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retryable: boolean;

  constructor(code: Code, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A short code for logs, whatever was thrown. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  const type = (error as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : ((error as Error | undefined)?.name ?? 'unknown');
}
