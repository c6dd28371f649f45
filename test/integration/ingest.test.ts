import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOPICS } from '../../src/events/topics.ts';
import { generateRecords, type GeneratedRecord } from '../../src/generator/generate-records.ts';
import { partitionOfKey } from '../../src/generator/kafka-partition.ts';
import { INGEST_DEAD_LETTER_PREFIX } from '../../src/ingest/dead-letter-writer.ts';
import { startIngest, type RunningIngest } from '../../src/ingest/run-ingest.ts';
import { readKafkaRecords } from '../../src/oracle/kafka-records.ts';
import { readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { createS3Client } from '../../src/stack/s3-client.ts';
import type { SourceRecord } from '../../src/events/record.ts';
import { text } from '../fixtures/record-text.ts';
import { wireValue } from '../fixtures/valid-events.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const runId = randomBytes(4).toString('hex');
const userPrefix = `ingest-${runId}`;
const store = new S3ObjectStore(createS3Client(endpoints.s3), endpoints.s3.bucket, {
  rootPrefix: `ingest-test-${runId}`,
});
let ingest: RunningIngest;

beforeAll(async () => {
  ingest = await startIngest({
    kafka: endpoints.kafka,
    partitions: endpoints.partitions,
    store,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  try {
    await ingest.close();
  } finally {
    await store.deleteMany(await store.list(''));
  }
});

/**
 * 3000 generated records; 2 % invalid, except mismatched keys (an HTTP body has no key to mismatch) and
 * the values that are not text (bytes that are not UTF-8, tombstones).
 */
function events(): { valid: GeneratedRecord[]; invalid: GeneratedRecord[] } {
  const all = [
    ...generateRecords({
      seed: Number.parseInt(runId, 16),
      events: 3000,
      users: 300,
      userPrefix,
      faults: { invalid: 0.02, late: 0, duplicate: 0, future: 0 },
    }),
  ].filter(
    (record) =>
      record.invalidKind !== 'key_mismatch' &&
      typeof record.value === 'string' &&
      record.value.trim() !== '' &&
      !record.value.includes('\n'),
  );
  return {
    valid: all.filter((record) => record.fault === null),
    invalid: all.filter((record) => record.fault === 'invalid'),
  };
}

async function post(contentType: string, body: string): Promise<{ accepted: number; rejected: number }> {
  const response = await fetch(`${ingest.url}/events`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { accepted: number; rejected: number };
}

/**
 * Four clients, each owning a quarter of the users and posting its batches one after another. Client 0
 * sends its valid events as JSON arrays (compact JSON, so re-serialised elements equal the originals)
 * and its invalid ones (some are not JSON at all, which would sink a whole array) as NDJSON.
 */
async function postAll(records: readonly GeneratedRecord[]): Promise<{ accepted: number; rejected: number }> {
  const clients = [0, 1, 2, 3].map((client) =>
    records.filter((record) => partitionOfKey(record.key, 4) === client),
  );
  const totals = { accepted: 0, rejected: 0 };
  const send = async (format: 'json' | 'ndjson', batch: readonly GeneratedRecord[]): Promise<void> => {
    const values = batch.map((record) => text(record.value));
    const answer =
      format === 'json'
        ? await post('application/json', `[${values.join(',')}]`)
        : await post('application/x-ndjson', values.join('\n'));
    totals.accepted += answer.accepted;
    totals.rejected += answer.rejected;
  };
  await Promise.all(
    clients.map(async (mine, client) => {
      const asArrays = client === 0;
      const inBody = asArrays ? mine.filter((record) => record.fault === null) : mine;
      for (let start = 0; start < inBody.length; start += 250) {
        await send(asArrays ? 'json' : 'ndjson', inBody.slice(start, start + 250));
      }
      const invalidOfClient = mine.filter((record) => record.fault !== null);
      if (asArrays && invalidOfClient.length > 0) await send('ndjson', invalidOfClient);
    }),
  );
  return totals;
}

async function readMine(): Promise<SourceRecord[]> {
  const mine: SourceRecord[] = [];
  for await (const record of readKafkaRecords(endpoints.kafka, TOPICS)) {
    if (typeof record.key === 'string' && record.key.startsWith(`${userPrefix}-`)) mine.push(record);
  }
  return mine;
}

describe('speed-layer ingest against the stack', () => {
  it('produces valid events byte for byte to their topics keyed by user_id, and dead-letters the invalid ones', async () => {
    const { valid, invalid } = events();
    expect(invalid.length).toBeGreaterThan(20);
    const totals = await postAll([...valid, ...invalid].sort((a, b) => a.timestamp - b.timestamp));
    expect(totals).toEqual({ accepted: valid.length, rejected: invalid.length });

    const produced = await readMine();
    expect(produced).toHaveLength(valid.length);
    for (const record of produced) {
      const event = JSON.parse(text(record.value)) as { user_id: string };
      expect(record.key).toBe(event.user_id);
      expect(record.partition).toBe(partitionOfKey(text(record.key), endpoints.partitions));
    }
    // Per user, the values arrive on the generator's topic in the order they were sent.
    const byUser = (records: readonly SourceRecord[]) => {
      const groups = new Map<string, string[]>();
      for (const record of records) {
        const id = `${record.topic} ${record.key}`;
        groups.set(id, [...(groups.get(id) ?? []), text(record.value)]);
      }
      return groups;
    };
    const sentInOrder = [...valid].sort((a, b) => a.timestamp - b.timestamp);
    expect(byUser(produced)).toEqual(byUser(sentInOrder));

    const deadLetters = await readDeadLetters(store, INGEST_DEAD_LETTER_PREFIX);
    expect(deadLetters.map((rejection) => rejection.value).sort()).toEqual(
      invalid.map((record) => record.value).sort(),
    );
    expect(new Set(deadLetters.map((rejection) => rejection.reason))).toEqual(new Set(['invalid']));
  });

  it('decodes a gzip body, produces its lines byte for byte and dead-letters a line that is not UTF-8 with its bytes', async () => {
    const user = `bytes-${runId}`;
    // Spaces after `{` and characters of every UTF-8 length: re-serialising or re-encoding would show.
    const kept = Buffer.from(
      wireValue('login_success', { user_id: user, user_agent: 'Mozilla ☃ naïve e\u0301 😀' }).replace(
        '{',
        '{ ',
      ),
    );
    const broken = Buffer.from(wireValue('logout', { user_id: user, event_id: 'e-2', session_id: 's-X' }));
    broken[broken.indexOf('s-X') + 2] = 0xff;
    const body = gzipSync(Buffer.concat([kept, Buffer.from('\r\n'), broken, Buffer.from('\n')]));

    const response = await fetch(`${ingest.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      body,
    });

    expect(response.status).toBe(200);
    const answer = (await response.json()) as { requestId: string; accepted: number; rejected: number };
    expect(answer).toMatchObject({ accepted: 1, rejected: 1 });
    const produced: SourceRecord[] = [];
    for await (const record of readKafkaRecords(endpoints.kafka, TOPICS)) {
      if (record.key === user) produced.push(record);
    }
    expect(produced.map((record) => Buffer.from(text(record.value), 'utf8'))).toEqual([kept]);
    const deadLetters = (await readDeadLetters(store, INGEST_DEAD_LETTER_PREFIX)).filter(
      (letter) => (letter as unknown as { request_id: string }).request_id === answer.requestId,
    );
    expect(deadLetters).toMatchObject([{ reason: 'invalid', rule: 'utf8', line: 2 }]);
    expect(Buffer.from(deadLetters[0]!.value as Uint8Array)).toEqual(broken);
  });
});
