/**
 * Which job failures a restart can cure. Permanent ones — refused credentials or permissions, a missing
 * bucket, a checkpoint this build cannot read, SASL refused, the run's own bad-setup errors — end the
 * run at once with one line naming the endpoint and the cause, so systemd or Kubernetes shows it instead
 * of a restart loop. Everything else is transient (an outage, a timeout, a rebalance, a fenced commit)
 * and restarts with backoff, up to a limit of restarts without progress in between.
 */
import { errorCode } from '../../shared/app-error.ts';
import { isStorageError } from '../../storage/storage-error.ts';
import { RunnerError } from './runner-error.ts';

export type Dependency = 'storage' | 'kafka' | 'other';

export interface FailureClass {
  dependency: Dependency;
  /** A short cause for logs and metrics: the storage code, or the Kafka error's type or name. */
  code: string;
  permanent: boolean;
}

const PERMANENT_STORAGE = new Set([
  'access_denied',
  'no_such_root',
  'unsupported_version',
  'corrupt_checkpoint',
]);

/** Kafka protocol errors no retry cures: authentication and authorisation. */
const PERMANENT_KAFKA_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
]);

/** The run's own checks of the topics. */
const KAFKA_SETUP_CODES = new Set<string>([
  'topic_missing',
  'partition_mismatch',
  'timestamp_type',
  'offset_gap',
]);

/** The error and its causes, outermost first (kafkajs wraps retries' last error as `cause`). */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && errors.length < 10;) {
    errors.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return errors;
}

function isKafkaError(error: unknown): boolean {
  return (
    typeof (error as Error | undefined)?.name === 'string' && (error as Error).name.startsWith('KafkaJS')
  );
}

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof RunnerError) {
    const dependency = KAFKA_SETUP_CODES.has(error.code) ? 'kafka' : 'other';
    return { dependency, code: error.code, permanent: !error.retryable };
  }
  const errors = chain(error);
  const storage = errors.find((e) => isStorageError(e));
  if (storage !== undefined) {
    const code = errorCode(storage);
    return { dependency: 'storage', code, permanent: PERMANENT_STORAGE.has(code) };
  }
  const kafka = errors.filter(isKafkaError);
  if (kafka.length > 0) {
    const innermost = kafka.at(-1)!;
    const sasl = kafka.some((e) => (e as Error).name === 'KafkaJSSASLAuthenticationError');
    const type = kafka.map((e) => (e as { type?: unknown }).type).find((t) => typeof t === 'string');
    const permanent = sasl || (typeof type === 'string' && PERMANENT_KAFKA_TYPES.has(type));
    return { dependency: 'kafka', code: typeof type === 'string' ? type : errorCode(innermost), permanent };
  }
  return { dependency: 'other', code: errorCode(error), permanent: false };
}

/** The innermost message of the error chain: the one that says what went wrong. */
export function rootMessage(error: unknown): string {
  const messages = chain(error)
    .map((e) => (e as Error | undefined)?.message)
    .filter((m): m is string => typeof m === 'string' && m.length > 0);
  return messages.at(-1) ?? String(error);
}
