import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { parseBytes } from '../../src/cli/ingest-command.ts';
import {
  coalescingSink,
  directSink,
  kafkaSendBatch,
  MAX_SEND_BYTES,
  type ProduceRecord,
} from '../../src/ingest/event-sink.ts';

function records(
  count: number,
  valueBytes: number,
  topic: ProduceRecord['topic'] = 'lms.video',
): ProduceRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    key: `u-${i}`,
    value: Buffer.alloc(valueBytes, 'x'),
  }));
}

const noClose = async (): Promise<void> => undefined;

describe('event sinks', () => {
  it('direct: splits one large request into sendBatch calls under the size cap, in order', async () => {
    const batches: ProduceRecord[][] = [];
    const sink = directSink(async (batch) => void batches.push([...batch]), noClose);
    const sent = records(300, 4000); // ~1.2 MB
    await sink.send(sent);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches)
      expect(batch.reduce((sum, r) => sum + r.value.length, 0)).toBeLessThanOrEqual(MAX_SEND_BYTES);
    expect(batches.flat()).toEqual(sent);
  });

  it('coalescing: requests that arrive while a send is in flight share the next sendBatch', async () => {
    const batches: number[] = [];
    let release: () => void = () => undefined;
    const sink = coalescingSink(
      (batch) => {
        batches.push(batch.length);
        return new Promise((resolve) => (release = resolve));
      },
      0,
      noClose,
    );
    const first = sink.send(records(2, 10));
    const others = [sink.send(records(3, 10)), sink.send(records(4, 10))];
    release();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all(others);
    expect(batches).toEqual([2, 7]);
    await sink.close();
  });

  it('kafkaSendBatch groups records per topic, keyed, with acks from all replicas', async () => {
    const calls: unknown[] = [];
    const producer = {
      sendBatch: async (request: unknown) => void calls.push(request),
    } as unknown as Producer;
    await kafkaSendBatch(producer)([
      { topic: 'lms.auth', key: 'u-1', value: Buffer.from('a') },
      { topic: 'lms.video', key: 'u-2', value: Buffer.from('b') },
      { topic: 'lms.auth', key: 'u-3', value: Buffer.from('c') },
    ]);
    expect(calls).toMatchObject([
      {
        acks: -1,
        topicMessages: [
          {
            topic: 'lms.auth',
            messages: [
              { key: 'u-1', value: Buffer.from('a') },
              { key: 'u-3', value: Buffer.from('c') },
            ],
          },
          { topic: 'lms.video', messages: [{ key: 'u-2', value: Buffer.from('b') }] },
        ],
      },
    ]);
  });
});

describe('--body-limit', () => {
  it('reads plain bytes and binary units, and refuses anything else', () => {
    expect(parseBytes('1048576')).toBe(1048576);
    expect(parseBytes('512KiB')).toBe(512 * 1024);
    expect(parseBytes('5mib')).toBe(5 * 1024 * 1024);
    expect(() => parseBytes('5 parsecs')).toThrow('"5 parsecs" is not a size');
    expect(() => parseBytes('0')).toThrow('is not a size');
  });
});
