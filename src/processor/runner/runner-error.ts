/**
 * The one error class of the run loop: a closed set of codes (logged as `code`), a message that names the
 * job, topic, partition and offsets involved, and whether restarting the job may help.
 */
export const RUNNER_ERROR_CODES = [
  /** A topic of the job does not exist. */
  'topic_missing',
  /** The job's topics have different partition counts. */
  'partition_mismatch',
  /** A topic does not stamp records with LogAppendTime. */
  'timestamp_type',
  /** Retention deleted offsets a checkpoint still needs (and --reset-on-gap was not given). */
  'offset_gap',
  /** A view of the job has no implementation. */
  'view_missing',
  /** Bad settings or endpoints. */
  'bad_config',
] as const;

export type RunnerErrorCode = (typeof RUNNER_ERROR_CODES)[number];

export class RunnerError extends Error {
  override readonly name = 'RunnerError';

  constructor(
    readonly code: RunnerErrorCode,
    message: string,
    /** Restarting the job will not help (bad topics, bad config, a retention gap). */
    readonly permanent = true,
  ) {
    super(message);
  }
}

/** A short code for logs, whatever was thrown. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown; type?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  const type = (error as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : ((error as Error | undefined)?.name ?? 'unknown');
}
