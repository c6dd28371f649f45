import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionOfKey } from '../../src/generator/kafka-partition.ts';
import { Prng } from '../../src/generator/prng.ts';

function kafkajsPartition(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

function randomKey(rng: Prng): string {
  const alphabet = 'abcXYZ019-_.é漢😀';
  const length = rng.int(40);
  let key = '';
  for (let i = 0; i < length; i++) key += [...alphabet][rng.int([...alphabet].length)];
  return key;
}

describe('partitionOfKey', () => {
  it('agrees with kafkajs DefaultPartitioner for thousands of keys of every length and for several partition counts', () => {
    const rng = new Prng(7);
    for (let i = 0; i < 5000; i++) {
      const key = i % 2 === 0 ? `u-${i}` : randomKey(rng);
      const partitions = 1 + (i % 12);
      expect(partitionOfKey(key, partitions), JSON.stringify(key)).toBe(kafkajsPartition(key, partitions));
    }
  });

  it('matches the Java client murmur2 on known values', () => {
    // Values from Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
  });
});
