/**
 * Endpoints ⇄ environment: the `export NAME=value` lines `stack up` prints, and the endpoints other
 * commands read back from the environment (the same variables stack-env.ts parses).
 */
import type { StackEndpoints } from './endpoints.ts';
import { readStackEnv, type Env } from './stack-env.ts';
import { StackError } from './stack-error.ts';

/** The environment variables that point a process at these endpoints. */
export function envOfEndpoints(endpoints: StackEndpoints): Record<string, string> {
  const { kafka, s3 } = endpoints;
  const env: Record<string, string> = { KAFKA_BROKERS: kafka.brokers.join(',') };
  if (kafka.ssl === true) env.KAFKA_SSL = 'true';
  if (kafka.sasl !== undefined) {
    env.KAFKA_SASL_MECHANISM = kafka.sasl.mechanism;
    env.KAFKA_SASL_USERNAME = kafka.sasl.username;
    env.KAFKA_SASL_PASSWORD = kafka.sasl.password;
  }
  // An AWS store has no endpoint URL; S3_ENDPOINT unset means "start one", so it cannot round-trip.
  if (s3.endpoint !== undefined) env.S3_ENDPOINT = s3.endpoint;
  env.S3_REGION = s3.region;
  env.S3_BUCKET = s3.bucket;
  if (s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined) {
    env.S3_ACCESS_KEY_ID = s3.accessKeyId;
    env.S3_SECRET_ACCESS_KEY = s3.secretAccessKey;
  }
  env.PARTITIONS = String(endpoints.partitions);
  return env;
}

/** POSIX-shell single quoting, only when needed. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:,@=+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export function exportLines(endpoints: StackEndpoints): string[] {
  return Object.entries(envOfEndpoints(endpoints)).map(
    ([name, value]) => `export ${name}=${shellQuote(value)}`,
  );
}

/**
 * The endpoints when the environment names both services (KAFKA_BROKERS and S3_ENDPOINT), otherwise
 * undefined. Throws a StackError when a variable is malformed.
 */
export function resolveEndpointsFromEnv(env: Env = process.env): StackEndpoints | undefined {
  const result = readStackEnv(env);
  if (!result.ok) throw new StackError('bad_env', `bad stack environment: ${result.errors.join('; ')}`);
  const { kafka, s3, partitions } = result.settings;
  return kafka !== undefined && s3 !== undefined ? { kafka, s3, partitions } : undefined;
}
