import { describe, expect, it } from 'vitest';
import { readStackEnv } from '../../src/stack/stack-env.ts';
import {
  envOfEndpoints,
  exportLines,
  resolveEndpointsFromEnv,
  shellQuote,
} from '../../src/stack/stack-exports.ts';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';

function settingsOf(env: Record<string, string>) {
  const result = readStackEnv(env);
  if (!result.ok) throw new Error(`unexpected errors: ${result.errors.join('; ')}`);
  return result.settings;
}

describe('the stack environment', () => {
  it('starts everything locally with the default bucket, region and partitions when nothing is set', () => {
    const settings = settingsOf({});
    expect(settings).toEqual({ bucket: 'bucket-0', region: 'us-east-1', partitions: 6, mode: 'local' });
  });

  it('takes an external Kafka from KAFKA_BROKERS, trimming spaces and empty entries', () => {
    const settings = settingsOf({ KAFKA_BROKERS: ' a:9092, b:9093 ,', KAFKA_SSL: 'true' });
    expect(settings.kafka).toEqual({ brokers: ['a:9092', 'b:9093'], ssl: true });
    expect(settings.s3).toBeUndefined();
  });

  it('reads SASL settings only together with their user name and password', () => {
    const withAll = settingsOf({
      KAFKA_BROKERS: 'a:9092',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    const missingPassword = readStackEnv({
      KAFKA_BROKERS: 'a:9092',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
    });
    expect(withAll.kafka?.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(missingPassword.ok).toBe(false);
  });

  it('takes an external S3 with its keys, bucket and region', () => {
    const settings = settingsOf({
      S3_ENDPOINT: 'http://minio:9000',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_BUCKET: 'views',
      S3_REGION: 'eu-west-1',
    });
    expect(settings.s3).toEqual({
      endpoint: 'http://minio:9000',
      region: 'eu-west-1',
      bucket: 'views',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
    });
  });

  it('leaves the keys out of an external S3 without them, for the AWS default credential chain', () => {
    const settings = settingsOf({ S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com' });
    expect(settings.s3).toEqual({
      endpoint: 'https://s3.eu-west-1.amazonaws.com',
      region: 'us-east-1',
      bucket: 'bucket-0',
    });
  });

  it('reports every malformed variable at once instead of throwing', () => {
    const result = readStackEnv({
      STACK_MODE: 'docker',
      PARTITIONS: '0',
      KAFKA_BROKERS: 'no-port',
      S3_ENDPOINT: 'minio:9000',
      S3_ACCESS_KEY_ID: 'only-the-id',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((error) => error.split(' ')[0])).toEqual([
      'STACK_MODE',
      'PARTITIONS',
      'KAFKA_BROKERS',
      'S3_ENDPOINT',
      'S3_ACCESS_KEY_ID',
    ]);
  });

  it('accepts the three stack modes', () => {
    const modes = ['local', 'containers', 'auto'].map((mode) => settingsOf({ STACK_MODE: mode }).mode);
    expect(modes).toEqual(['local', 'containers', 'auto']);
  });
});

describe('the exported settings', () => {
  const endpoints: StackEndpoints = {
    kafka: { brokers: ['127.0.0.1:1234', '127.0.0.1:1235'] },
    s3: {
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      bucket: 'bucket-0',
      accessKeyId: 'AK',
      secretAccessKey: "s'cret",
    },
    partitions: 4,
  };

  it('read back to the same endpoints', () => {
    expect(resolveEndpointsFromEnv(envOfEndpoints(endpoints))).toEqual(endpoints);
  });

  it('are export lines a POSIX shell can eval, quoting values that need it', () => {
    const lines = exportLines(endpoints);
    expect(lines).toContain('export KAFKA_BROKERS=127.0.0.1:1234,127.0.0.1:1235');
    expect(lines).toContain(`export S3_SECRET_ACCESS_KEY='s'\\''cret'`);
    expect(lines).toContain('export PARTITIONS=4');
    expect(shellQuote('a b')).toBe("'a b'");
  });

  it('give no endpoints from an environment that names only one service', () => {
    expect(resolveEndpointsFromEnv({ KAFKA_BROKERS: 'a:1' })).toBeUndefined();
    expect(resolveEndpointsFromEnv({ S3_ENDPOINT: 'http://s3:1' })).toBeUndefined();
  });
});
