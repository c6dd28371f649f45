/**
 * The run loop's error codes and class (an AppError): a message that names the job, topic, partition and
 * offsets involved; `retryable` says whether restarting the job may help.
 */
import { AppError } from '../../shared/app-error.ts';

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
  /** The HTTP port (/healthz, /metrics) is taken, e.g. by another instance on the host. */
  'http_port',
  /** Kafka or the object store refused the job for good: credentials, permissions, a missing bucket. */
  'dependency_refused',
  /** A job failed too many times in a row without committing in between. */
  'restart_limit',
] as const;

export type RunnerErrorCode = (typeof RUNNER_ERROR_CODES)[number];

/** Run-loop failures; not retryable unless said (bad topics, bad config, a retention gap). */
export class RunnerError extends AppError<RunnerErrorCode> {}
