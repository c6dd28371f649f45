/**
 * `speed-layer dead-letters replay` against the real broker: dead letters written to a file:// store in
 * the stored format are re-produced by the CLI (a subprocess) and read back from the topics, bytes and
 * headers compared exactly. The test's topics (`dl<id>.…`, one partition so offsets give the order) and
 * its consumer group are deleted when it finishes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import {
  deadLetterLine,
  deadLetterOutputFiles,
  type DeadLetter,
} from '../../src/processor/io/dead-letter.ts';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import { envOfEndpoints } from '../../src/stack/stack-exports.ts';
import { ensureTopics } from '../../src/stack/topics.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT, finalKey } from '../../src/storage/layout.ts';
import { tempDir } from '../unit/temp-dir.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const run = promisify(execFile);
/** Generous: tsx may take many seconds to start the CLI on a busy machine, and the broker to answer. */
const CLI_TIMEOUT_MS = 300_000;
const READ_TIMEOUT_MS = 300_000;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, ...envOfEndpoints(endpoints) };
  try {
    const { stdout, stderr } = await run('node', ['bin/speed-layer.js', 'dead-letters', ...args], {
      env,
      timeout: CLI_TIMEOUT_MS,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

interface ReadRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Creates the topics (one partition each) and deletes them, with the readers' groups, when the test ends. */
async function createTopics(stack: StackEndpoints, topics: string[], groups: string[]): Promise<void> {
  const admin = createKafka(stack.kafka, 'dead-letters-replay-test').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, 1, topics);
  } finally {
    await admin.disconnect();
  }
  onTestFinished(async () => {
    const cleanup = createKafka(stack.kafka, 'dead-letters-replay-cleanup').admin();
    await cleanup.connect();
    try {
      await cleanup.deleteTopics({ topics, timeout: 60_000 });
      await cleanup.deleteGroups(groups).catch(() => undefined);
    } finally {
      await cleanup.disconnect();
    }
  });
}

/** Reads `count` records from the start of the topics (in offset order per topic), waiting as long as it takes. */
async function readRecords(topics: string[], groupId: string, count: number): Promise<ReadRecord[]> {
  const consumer = createKafka(endpoints.kafka, 'dead-letters-replay-reader').consumer({ groupId });
  await consumer.connect();
  const records: ReadRecord[] = [];
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} of ${count} records`)),
        READ_TIMEOUT_MS,
      );
      consumer
        .run({
          eachMessage: async ({ topic, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            records.push({ topic, key: message.key, value: message.value, headers });
            if (records.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

const JAN6 = Date.parse('2025-01-06T08:00:00Z');
const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0xfe, 0x00, 0xff, 0x7d]);
const FIXED = Buffer.from([0x7b, 0x7d, 0x80]);

const letter = (topic: string, offset: number, fields: Partial<DeadLetter>): DeadLetter => ({
  topic,
  partition: 1,
  offset,
  timestamp: JAN6,
  reason: 'invalid',
  message: `bad at ${offset}`,
  key: 'u-1',
  value: `{"event_id":"e${offset}"}`,
  ...fields,
});

describe('speed-layer dead-letters replay (real Kafka)', () => {
  it('re-produces the selected (or fixed) records with their exact bytes and replay headers; a tombstone only when asked', async () => {
    const id = randomBytes(4).toString('hex');
    const prefix = `dl${id}.`;
    const auth = `${prefix}lms.auth`;
    const quarantine = `${prefix}quarantine`;
    const groupId = `dead-letters-replay-test-${id}`;
    await createTopics(endpoints, [auth, quarantine], [groupId]);
    const rootDir = tempDir('dead-letters-replay-');
    const store = new FileObjectStore(rootDir);
    const letters = [
      letter('lms.auth', 3, {}),
      letter('lms.auth', 4, { key: Buffer.from([0xff, 0x00]), value: NOT_UTF8 }),
      letter('lms.auth', 5, { value: null, reason: 'invalid' }),
      letter('lms.video', 7, { reason: 'late' }),
    ];
    for (const file of deadLetterOutputFiles(letters, DEFAULT_LAYOUT))
      await store.put(finalKey(file, 'job', 1), file.body);
    const root = pathToFileURL(rootDir).href;

    const replay = await cli(['replay', '--root', root, '--topic', 'lms.auth', '--topic-prefix', prefix]);
    const tombstone = await cli([
      ...['replay', '--root', root, '--topic', 'lms.auth', '--partition', '1', '--offset', '5'],
      ...['--include-tombstones', '--to-topic', quarantine],
    ]);
    // An operator's fix of offset 4, with bytes that are still not UTF-8 (stored as base64).
    const fixedFile = join(rootDir, 'fixed.ndjson');
    writeFileSync(fixedFile, `${deadLetterLine({ ...letters[1]!, value: FIXED })}\n`);
    const fixed = await cli(['replay', '--fixed', fixedFile, '--to-topic', quarantine]);
    const missing = await cli(['replay', '--root', root, '--topic', 'lms.video', '--topic-prefix', prefix]);
    const read = await readRecords([auth, quarantine], groupId, 4);

    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout).toBe(
      `dead-letters replay: produced 2 records\n  lms.auth → ${auth}: 2 (invalid 2)\n` +
        '  skipped 1 (tombstone 1, no topic 0)\n',
    );
    expect(tombstone.code).toBe(0);
    expect(fixed.stdout).toBe(
      `dead-letters replay: produced 1 records\n  lms.auth → ${quarantine}: 1 (invalid 1)\n` +
        '  skipped 0 (tombstone 0, no topic 0)\n',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `speed-layer dead-letters replay: topic(s) ${prefix}lms.video do not exist on the brokers\n`,
    );
    expect(read.filter((record) => record.topic === auth)).toEqual([
      {
        topic: auth,
        key: Buffer.from('u-1'),
        value: Buffer.from('{"event_id":"e3"}'),
        headers: { 'speed-layer-replay-of': 'lms.auth/1/3', 'speed-layer-replay-reason': 'invalid' },
      },
      {
        topic: auth,
        key: Buffer.from([0xff, 0x00]),
        value: NOT_UTF8,
        headers: { 'speed-layer-replay-of': 'lms.auth/1/4', 'speed-layer-replay-reason': 'invalid' },
      },
    ]);
    expect(read.filter((record) => record.topic === quarantine)).toEqual([
      {
        topic: quarantine,
        key: Buffer.from('u-1'),
        value: null,
        headers: { 'speed-layer-replay-of': 'lms.auth/1/5', 'speed-layer-replay-reason': 'invalid' },
      },
      {
        topic: quarantine,
        key: Buffer.from([0xff, 0x00]),
        value: FIXED,
        headers: {
          'speed-layer-replay-of': 'lms.auth/1/4',
          'speed-layer-replay-reason': 'invalid',
          'speed-layer-replay-fixed': 'true',
        },
      },
    ]);
  });
});
