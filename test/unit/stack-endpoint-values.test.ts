import { describe, expect, it } from 'vitest';
import { checkEndpointValues, readStackEnv } from '../../src/stack/stack-env.ts';

describe('typed endpoint values', () => {
  it('are checked by the same rules as the environment, without a round trip through strings', () => {
    const typed = checkEndpointValues({
      kafkaBrokers: ['a:9092', ' b:9093 '],
      kafkaSsl: true,
      s3Endpoint: 'http://minio:9000',
      s3Bucket: 'views',
      s3Region: 'eu-west-1',
      partitions: 12,
    });
    const fromEnv = readStackEnv({
      KAFKA_BROKERS: 'a:9092, b:9093',
      KAFKA_SSL: 'true',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'views',
      S3_REGION: 'eu-west-1',
      PARTITIONS: '12',
    });
    expect(typed).toEqual(fromEnv);
    expect(typed.ok && typed.settings.kafka).toEqual({ brokers: ['a:9092', 'b:9093'], ssl: true });
  });

  it('report every bad value with the variable it stands for', () => {
    const result = checkEndpointValues({
      kafkaBrokers: ['no-port'],
      s3Endpoint: 'minio:9000',
      s3AccessKeyId: 'id',
      partitions: 0,
      stackMode: 'cloud',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(5);
    for (const name of ['STACK_MODE', 'PARTITIONS', 'KAFKA_BROKERS', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID'])
      expect(errors.some((error) => error.includes(name))).toBe(true);
  });

  it('keep the environment parser strict about what it cannot type', () => {
    const result = readStackEnv({ KAFKA_BROKERS: 'a:1', KAFKA_SSL: 'yes', PARTITIONS: 'six' });
    expect(result.ok ? [] : result.errors).toEqual([
      'PARTITIONS must be a positive integer, got "six"',
      'KAFKA_SSL must be true or false, got "yes"',
    ]);
  });
});
