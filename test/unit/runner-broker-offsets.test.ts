import { describe, expect, it } from 'vitest';
import { BrokerOffsets, OFFSETS_REFRESH_MS } from '../../src/processor/runner/broker-offsets.ts';
import { TopicNames, type PartitionOffsets } from '../../src/processor/runner/kafka-topics.ts';

function newOffsets() {
  const clock = { ms: 50_000 };
  let reads = 0;
  const broker = new Map<string, PartitionOffsets>([['t9.lms.auth:0', { low: 12, high: 40 }]]);
  const read = async () => {
    reads++;
    return new Map(broker);
  };
  const offsets = new BrokerOffsets(read, new TopicNames('t9.'), () => clock.ms);
  return { clock, broker, offsets, reads: () => reads };
}

describe("the broker's offsets", () => {
  it('are read at most once a second unless forced', async () => {
    const { clock, offsets, reads } = newOffsets();
    expect(await offsets.refresh(false)).toBe(true);

    clock.ms += OFFSETS_REFRESH_MS - 1;
    expect(await offsets.refresh(false)).toBe(false);
    expect(await offsets.refresh(true)).toBe(true);
    clock.ms += OFFSETS_REFRESH_MS;
    expect(await offsets.refresh(false)).toBe(true);

    expect(reads()).toBe(3);
  });

  it('answer by contract topic name, through the prefix', async () => {
    const { offsets } = newOffsets();

    await offsets.refresh(true);

    expect(offsets.logStart({ topic: 'lms.auth', partition: 0 })).toBe(12);
    expect(offsets.highWatermark({ topic: 'lms.auth', partition: 0 })).toBe(40);
  });

  it('give log start 0 and no high-water mark for a partition not read yet', async () => {
    const { broker, offsets } = newOffsets();
    expect(offsets.logStart({ topic: 'lms.auth', partition: 0 })).toBe(0);

    broker.delete('t9.lms.auth:0');
    await offsets.refresh(true);

    expect(offsets.logStart({ topic: 'lms.auth', partition: 0 })).toBe(0);
    expect(offsets.highWatermark({ topic: 'lms.auth', partition: 0 })).toBeUndefined();
  });

  it('follow the log start when retention moves it', async () => {
    const { broker, offsets } = newOffsets();
    await offsets.refresh(true);

    broker.set('t9.lms.auth:0', { low: 30, high: 40 });
    await offsets.refresh(true);

    expect(offsets.logStart({ topic: 'lms.auth', partition: 0 })).toBe(30);
  });
});
