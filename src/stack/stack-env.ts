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

/**
 * Endpoint values before they are checked, typed as the processor's settings hold them (the settings
 * pass theirs straight in; `readStackEnv` parses the environment into this form first).
 */
export interface EndpointValues {
  kafkaBrokers?: readonly string[];
  kafkaSsl?: boolean;
  kafkaSaslMechanism?: string;
  kafkaSaslUsername?: string;
  kafkaSaslPassword?: string;
  s3Endpoint?: string;
  s3AccessKeyId?: string;
  s3SecretAccessKey?: string;
  s3Bucket?: string;
  s3Region?: string;
  partitions?: number;
  stackMode?: string;
}

/** Environment values that could not be typed, reported in their place among the other errors. */
interface ParseErrors {
  partitions?: string;
  kafkaSsl?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function present(env: Env, name: string): string | undefined {
  return nonEmpty(env[name]);
}

function checkKafka(
  values: EndpointValues,
  parseErrors: ParseErrors,
  errors: string[],
): KafkaEndpoint | undefined {
  if (values.kafkaBrokers === undefined) return undefined;
  const brokers = values.kafkaBrokers.map((broker) => broker.trim()).filter((broker) => broker !== '');
  const malformed = brokers.filter((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker));
  if (brokers.length === 0 || malformed.length > 0) {
    errors.push(`KAFKA_BROKERS must be host:port[,host:port...], got "${values.kafkaBrokers.join(',')}"`);
  }
  const endpoint: KafkaEndpoint = { brokers };
  if (parseErrors.kafkaSsl !== undefined) errors.push(parseErrors.kafkaSsl);
  if (values.kafkaSsl === true) endpoint.ssl = true;
  const mechanism = nonEmpty(values.kafkaSaslMechanism)?.toLowerCase();
  if (mechanism !== undefined) {
    const username = nonEmpty(values.kafkaSaslUsername);
    const password = nonEmpty(values.kafkaSaslPassword);
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

function checkS3(
  values: EndpointValues,
  bucket: string,
  region: string,
  errors: string[],
): S3Endpoint | undefined {
  const endpoint = nonEmpty(values.s3Endpoint);
  if (endpoint === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(endpoint))
    errors.push(`S3_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  const s3: S3Endpoint = { endpoint, region, bucket };
  const accessKeyId = nonEmpty(values.s3AccessKeyId);
  const secretAccessKey = nonEmpty(values.s3SecretAccessKey);
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

/** Checks endpoint values; unset optional ones take their defaults. Errors name the variables. */
export function checkEndpointValues(values: EndpointValues, parseErrors: ParseErrors = {}): EnvResult {
  const errors: string[] = [];
  const modeText = nonEmpty(values.stackMode) ?? 'local';
  if (!(STACK_MODES as readonly string[]).includes(modeText)) {
    errors.push(`STACK_MODE must be one of ${STACK_MODES.join(', ')}, got "${modeText}"`);
  }
  const partitions = values.partitions ?? DEFAULT_PARTITIONS;
  if (parseErrors.partitions !== undefined) errors.push(parseErrors.partitions);
  else if (!Number.isInteger(partitions) || partitions < 1) {
    errors.push(`PARTITIONS must be a positive integer, got "${partitions}"`);
  }
  const bucket = nonEmpty(values.s3Bucket) ?? DEFAULT_BUCKET;
  const region = nonEmpty(values.s3Region) ?? DEFAULT_REGION;
  const kafka = checkKafka(values, parseErrors, errors);
  const s3 = checkS3(values, bucket, region, errors);
  if (errors.length > 0) return { ok: false, errors };
  const settings: EnvSettings = { bucket, region, partitions, mode: modeText as StackMode };
  if (kafka !== undefined) settings.kafka = kafka;
  if (s3 !== undefined) settings.s3 = s3;
  return { ok: true, settings };
}

/** Reads every stack variable of `env`; unset optional ones take their defaults. */
export function readStackEnv(env: Env): EnvResult {
  const errors: ParseErrors = {};
  const values: EndpointValues = {};
  const brokers = present(env, 'KAFKA_BROKERS');
  if (brokers !== undefined) {
    values.kafkaBrokers = brokers.split(','); // checkKafka trims them and drops empty entries
    const ssl = present(env, 'KAFKA_SSL');
    if (ssl !== undefined && ssl !== 'true' && ssl !== 'false')
      errors.kafkaSsl = `KAFKA_SSL must be true or false, got "${ssl}"`;
    values.kafkaSsl = ssl === 'true';
  }
  const partitionsText = present(env, 'PARTITIONS');
  if (partitionsText !== undefined) {
    const partitions = Number(partitionsText);
    if (!Number.isInteger(partitions) || partitions < 1)
      errors.partitions = `PARTITIONS must be a positive integer, got "${partitionsText}"`;
    else values.partitions = partitions;
  }
  const strings = {
    kafkaSaslMechanism: 'KAFKA_SASL_MECHANISM',
    kafkaSaslUsername: 'KAFKA_SASL_USERNAME',
    kafkaSaslPassword: 'KAFKA_SASL_PASSWORD',
    s3Endpoint: 'S3_ENDPOINT',
    s3AccessKeyId: 'S3_ACCESS_KEY_ID',
    s3SecretAccessKey: 'S3_SECRET_ACCESS_KEY',
    s3Bucket: 'S3_BUCKET',
    s3Region: 'S3_REGION',
    stackMode: 'STACK_MODE',
  } as const;
  for (const [field, name] of Object.entries(strings)) {
    const value = present(env, name);
    if (value !== undefined) values[field as keyof typeof strings] = value;
  }
  return checkEndpointValues(values, errors);
}
