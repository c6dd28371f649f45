/**
 * The stack's environment variables, read in one place: which services are external (KAFKA_BROKERS,
 * S3_ENDPOINT), their settings, and how to provide the missing ones (STACK_MODE). Pure: takes the env
 * as an argument so tests pass plain objects; bad values come back as errors, not exceptions.
 */
import { DEFAULT_PARTITIONS } from '../events/topics.ts';
import type { KafkaEndpoint, S3Endpoint } from './endpoints.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** local = JVMs from Maven Central; containers = testcontainers; auto = containers when Docker answers. */
export const STACK_MODES = ['local', 'containers', 'auto'] as const;
export type StackMode = (typeof STACK_MODES)[number];

/** How each service of a running stack is provided. */
export type ServiceMode = 'external' | 'local' | 'containers';

export const DEFAULT_BUCKET = 'bucket-0';
export const DEFAULT_REGION = 'us-east-1';

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface EnvSettings {
  /** Set when KAFKA_BROKERS names an external cluster. */
  kafka?: KafkaEndpoint;
  /** Set when S3_ENDPOINT names an external store. */
  s3?: S3Endpoint;
  /** Used for the local/containers S3 too. */
  bucket: string;
  region: string;
  partitions: number;
  mode: StackMode;
}

export type EnvResult = { ok: true; settings: EnvSettings } | { ok: false; errors: string[] };

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
}

function readKafka(env: Env, errors: string[]): KafkaEndpoint | undefined {
  const brokersText = present(env, 'KAFKA_BROKERS');
  if (brokersText === undefined) return undefined;
  const brokers = parseBrokers(brokersText);
  const malformed = brokers.filter((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker));
  if (brokers.length === 0 || malformed.length > 0) {
    errors.push(`KAFKA_BROKERS must be host:port[,host:port...], got "${brokersText}"`);
  }
  const endpoint: KafkaEndpoint = { brokers };
  const ssl = present(env, 'KAFKA_SSL');
  if (ssl !== undefined) {
    if (ssl !== 'true' && ssl !== 'false') errors.push(`KAFKA_SSL must be true or false, got "${ssl}"`);
    if (ssl === 'true') endpoint.ssl = true;
  }
  const mechanism = present(env, 'KAFKA_SASL_MECHANISM')?.toLowerCase();
  if (mechanism !== undefined) {
    const username = present(env, 'KAFKA_SASL_USERNAME');
    const password = present(env, 'KAFKA_SASL_PASSWORD');
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      errors.push(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, got "${mechanism}"`);
    } else if (username === undefined || password === undefined) {
      errors.push('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    } else {
      endpoint.sasl = { mechanism: mechanism as SaslMechanism, username, password };
    }
  }
  return endpoint;
}

function readS3(env: Env, bucket: string, region: string, errors: string[]): S3Endpoint | undefined {
  const endpoint = present(env, 'S3_ENDPOINT');
  if (endpoint === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(endpoint))
    errors.push(`S3_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  const s3: S3Endpoint = { endpoint, region, bucket };
  const accessKeyId = present(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = present(env, 'S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    errors.push(
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together (or neither, for the AWS default chain)',
    );
  } else if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    s3.accessKeyId = accessKeyId;
    s3.secretAccessKey = secretAccessKey;
  }
  return s3;
}

/** Reads every stack variable; unset optional ones take their defaults. */
export function readStackEnv(env: Env): EnvResult {
  const errors: string[] = [];
  const modeText = present(env, 'STACK_MODE') ?? 'local';
  if (!(STACK_MODES as readonly string[]).includes(modeText)) {
    errors.push(`STACK_MODE must be one of ${STACK_MODES.join(', ')}, got "${modeText}"`);
  }
  const partitionsText = present(env, 'PARTITIONS');
  const partitions = partitionsText === undefined ? DEFAULT_PARTITIONS : Number(partitionsText);
  if (!Number.isInteger(partitions) || partitions < 1) {
    errors.push(`PARTITIONS must be a positive integer, got "${partitionsText}"`);
  }
  const bucket = present(env, 'S3_BUCKET') ?? DEFAULT_BUCKET;
  const region = present(env, 'S3_REGION') ?? DEFAULT_REGION;
  const kafka = readKafka(env, errors);
  const s3 = readS3(env, bucket, region, errors);
  if (errors.length > 0) return { ok: false, errors };
  const settings: EnvSettings = { bucket, region, partitions, mode: modeText as StackMode };
  if (kafka !== undefined) settings.kafka = kafka;
  if (s3 !== undefined) settings.s3 = s3;
  return { ok: true, settings };
}
