import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { deadLetterOutputFiles, readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import { toRecords } from '../../src/processor/runner/kafka-records.ts';
import { PendingOutput } from '../../src/processor/runner/pending-output.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { finalKey } from '../../src/storage/layout.ts';
import { wireValue } from '../fixtures/valid-events.ts';
import { tempDir } from './temp-dir.ts';

function message(offset: number, key: Buffer | null, value: Buffer | null): KafkaMessage {
  return {
    offset: String(offset),
    timestamp: '1736150400000',
    key,
    value,
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** Kafka messages through the consumer's decoding, the engine and the commit's dead-letter files, read back. */
async function deadLettersOf(messages: KafkaMessage[]) {
  const records = toRecords({ topic: 'lms.auth', partition: 3, nextOffset: 0 }, messages);
  const pending = new PendingOutput();
  pending.processed(records, createJobEngine('auth').process(records).rejected);
  const store = new FileObjectStore(tempDir('dead-letter-bytes-'));
  for (const file of deadLetterOutputFiles(pending.take().rejections))
    await store.put(finalKey(file, 'auth', 1), file.body);
  return readDeadLetters(store, 'dead_letter/');
}

describe('a rejected record reaches its dead letter as received', () => {
  it('keeps 4,096 random bytes as those 4,096 bytes', async () => {
    const random = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 256));

    const [letter] = await deadLettersOf([message(0, Buffer.from('u-1'), random)]);

    expect(letter).toMatchObject({ offset: 0, reason: 'invalid' });
    expect(letter!.message).toMatch(/^\(value\): is not UTF-8 \(byte 0x[0-9a-f]{2} at byte offset \d+\)$/);
    expect(letter!.value).toEqual(random);
  });

  it('tells a tombstone from an empty value, and keeps a key that is not UTF-8', async () => {
    const badKey = Buffer.from([0x75, 0x2d, 0xc0, 0xaf]);

    const letters = await deadLettersOf([
      message(0, Buffer.from('u-1'), null),
      message(1, Buffer.from('u-1'), Buffer.alloc(0)),
      message(2, badKey, Buffer.from(wireValue('logout'))),
      message(3, null, Buffer.from(wireValue('logout'))),
    ]);

    expect(letters.map(({ offset, key, value }) => ({ offset, key, value }))).toEqual([
      { offset: 0, key: 'u-1', value: null },
      { offset: 1, key: 'u-1', value: '' },
      { offset: 2, key: badKey, value: wireValue('logout') },
      { offset: 3, key: null, value: wireValue('logout') },
    ]);
    expect(letters.map((letter) => letter.message)).toEqual([
      '(value): is null (a tombstone), not a JSON object',
      expect.stringMatching(/^\(value\): is not JSON/),
      '(key): is not UTF-8 (byte 0xc0 at byte offset 2)',
      expect.stringMatching(/^\(key\): message key null differs/),
    ]);
  });
});
