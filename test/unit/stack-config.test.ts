import { describe, expect, it } from 'vitest';
import { kafkaServerProperties, randomClusterId } from '../../src/stack/kafka-config.ts';
import { randomS3Credentials, s3ProxyProperties } from '../../src/stack/s3proxy-config.ts';

function parseProperties(text: string): Map<string, string> {
  const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('the local Kafka configuration', () => {
  const properties = parseProperties(
    kafkaServerProperties({ brokerPort: 19092, controllerPort: 19093, logDir: '/tmp/x/data', partitions: 3 }),
  );

  it('runs one node as broker and controller with a single static voter on loopback', () => {
    expect(properties.get('process.roles')).toBe('broker,controller');
    expect(properties.get('controller.quorum.voters')).toBe(`${properties.get('node.id')}@127.0.0.1:19093`);
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('log.dirs')).toBe('/tmp/x/data');
  });

  it('sets every replication factor and minimum ISR to 1, as one node requires', () => {
    const replicationKeys = [...properties.keys()].filter((key) =>
      /replication\.factor|min\.isr|insync/.test(key),
    );
    expect(replicationKeys.length).toBeGreaterThanOrEqual(6);
    expect(replicationKeys.map((key) => properties.get(key))).toEqual(replicationKeys.map(() => '1'));
  });

  it('uses the requested partitions, no automatic topics and no initial rebalance delay', () => {
    expect(properties.get('num.partitions')).toBe('3');
    expect(properties.get('auto.create.topics.enable')).toBe('false');
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('draws cluster ids of 22 URL-safe characters that never start with a dash', () => {
    const ids = Array.from({ length: 500 }, randomClusterId);
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the local S3Proxy configuration', () => {
  it('serves a filesystem store on loopback with the given v2/v4 credentials', () => {
    const properties = parseProperties(
      s3ProxyProperties({ port: 18080, dataDir: '/tmp/s3', accessKeyId: 'AK', secretAccessKey: 'SK' }),
    );
    expect(Object.fromEntries(properties)).toEqual({
      's3proxy.endpoint': 'http://127.0.0.1:18080',
      's3proxy.authorization': 'aws-v2-or-v4',
      's3proxy.identity': 'AK',
      's3proxy.credential': 'SK',
      'jclouds.provider': 'filesystem',
      'jclouds.filesystem.basedir': '/tmp/s3',
      'jclouds.region': 'us-east-1',
    });
  });

  it('draws fresh credentials for every stack', () => {
    const [first, second] = [randomS3Credentials(), randomS3Credentials()];
    expect(first.accessKeyId).not.toBe(second.accessKeyId);
    expect(first.secretAccessKey).not.toBe(second.secretAccessKey);
  });
});
