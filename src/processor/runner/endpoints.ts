/**
 * Kafka and S3 for `run`: the endpoint settings (flag > env > config file) go through the stack's
 * readStackEnv, so they are validated in one place; services not named are started locally by
 * startStack (development), as for the tests.
 */
import type { StackEndpoints } from '../../stack/endpoints.ts';
import { startStack } from '../../stack/stack.ts';
import { readStackEnv, type Env } from '../../stack/stack-env.ts';
import type { Settings } from '../runtime/settings.ts';
import { RunnerError } from './runner-error.ts';

/** The stack variables the settings stand for (unset ones left out). */
export function stackEnvOf(settings: Settings): Env {
  const env: Record<string, string> = {
    S3_BUCKET: settings.s3Bucket,
    S3_REGION: settings.s3Region,
    PARTITIONS: String(settings.partitions),
  };
  const optional: [string, string | undefined][] = [
    ['KAFKA_BROKERS', settings.kafkaBrokers?.join(',')],
    ['KAFKA_SSL', settings.kafkaSsl ? 'true' : undefined],
    ['KAFKA_SASL_MECHANISM', settings.kafkaSaslMechanism],
    ['KAFKA_SASL_USERNAME', settings.kafkaSaslUsername],
    ['KAFKA_SASL_PASSWORD', settings.kafkaSaslPassword],
    ['S3_ENDPOINT', settings.s3Endpoint],
    ['S3_ACCESS_KEY_ID', settings.s3AccessKeyId],
    ['S3_SECRET_ACCESS_KEY', settings.s3SecretAccessKey],
  ];
  for (const [name, value] of optional) if (value !== undefined) env[name] = value;
  return env;
}

export interface ResolvedEndpoints {
  endpoints: StackEndpoints;
  /** Stops services started here (none when both were given). */
  stop(): Promise<void>;
}

export async function resolveEndpoints(
  settings: Settings,
  stackEnv: Env = process.env,
): Promise<ResolvedEndpoints> {
  const env = { ...stackEnv, ...stackEnvOf(settings) };
  const read = readStackEnv(env);
  if (!read.ok) throw new RunnerError('bad_config', `bad endpoint settings: ${read.errors.join('; ')}`);
  const { kafka, s3, partitions } = read.settings;
  if (kafka !== undefined && s3 !== undefined) {
    return { endpoints: { kafka, s3, partitions }, stop: () => Promise.resolve() };
  }
  const stack = await startStack({ env, createTopics: true });
  return { endpoints: stack.endpoints, stop: () => stack.stop() };
}
