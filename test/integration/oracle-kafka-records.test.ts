import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { readKafkaRecords } from '../../src/oracle/kafka-records.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import { ensureTopics } from '../../src/stack/topics.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const kafka = createKafka(endpoints.kafka, 'oracle-kafka-records-test');
const created: string[] = [];

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

describe('readKafkaRecords', () => {
  it('reads every partition of the topics from offset 0 to the high-water mark, in offset order per partition', async () => {
    const topics = [`oracle-test-a-${randomUUID()}`, `oracle-test-b-${randomUUID()}`];
    created.push(...topics);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, 3, topics);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    for (const topic of topics) {
      for (const partition of [0, 1, 2]) {
        await producer.send({
          topic,
          messages: Array.from({ length: 5 + partition }, (_, i) => ({
            partition,
            key: i === 0 ? null : `u-${partition}`,
            value: `{"n":${i}}`,
          })),
        });
      }
    }
    await producer.disconnect();

    const startedMs = Date.now();
    const records: SourceRecord[] = [];
    for await (const record of readKafkaRecords(endpoints.kafka, [...topics, 'no-such-topic']))
      records.push(record);

    for (const topic of topics) {
      for (const partition of [0, 1, 2]) {
        const ofPartition = records.filter((r) => r.topic === topic && r.partition === partition);
        expect(ofPartition.map((r) => r.offset)).toEqual([...Array(5 + partition).keys()]);
        expect(ofPartition.map((r) => r.value)).toEqual(
          [...Array(5 + partition).keys()].map((i) => `{"n":${i}}`),
        );
        expect(ofPartition.map((r) => r.key)).toEqual([null, ...Array(4 + partition).fill(`u-${partition}`)]);
      }
    }
    expect(records).toHaveLength(2 * (5 + 6 + 7));
    // LogAppendTime: the broker stamped every record while this test ran
    for (const record of records) expect(Math.abs(record.timestamp - startedMs)).toBeLessThan(600_000);
  });

  it('hands over keys and values as received: text, bytes that are not UTF-8, null', async () => {
    const topic = `oracle-test-bytes-${randomUUID()}`;
    created.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, 1, [topic]);
    await admin.disconnect();
    const sent = [
      { key: Buffer.from('u-é'), value: Buffer.from('\uFEFF{"n":"😀"}') },
      { key: Buffer.from([0x75, 0xff]), value: Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]) },
      { key: Buffer.from('u-1'), value: null },
      { key: null, value: Buffer.alloc(0) },
    ];
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: sent.map((message) => ({ ...message, partition: 0 })) });
    await producer.disconnect();

    const records: SourceRecord[] = [];
    for await (const record of readKafkaRecords(endpoints.kafka, [topic])) records.push(record);

    expect(records.map(({ key, value }) => ({ key, value }))).toEqual([
      { key: 'u-é', value: '\uFEFF{"n":"😀"}' },
      { key: Buffer.from([0x75, 0xff]), value: Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]) },
      { key: 'u-1', value: null },
      { key: null, value: '' },
    ]);
  });
});
