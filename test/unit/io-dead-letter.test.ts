import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deadLetterOutputFiles,
  readDeadLetters,
  type DeadLetter,
} from '../../src/processor/io/dead-letter.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { finalKey, utcDate } from '../../src/storage/layout.ts';
import { duckRows, sqlString } from './io-duckdb.ts';

const DAY1 = Date.UTC(2024, 0, 31, 23, 59);
const DAY2 = Date.UTC(2024, 1, 1, 0, 1);

const REJECTIONS: DeadLetter[] = [
  {
    topic: 'lms.auth',
    partition: 1,
    offset: 7,
    timestamp: DAY1,
    reason: 'invalid',
    message: 'event_id: required',
    key: 'u1',
    value: '{"bad":',
  },
  {
    topic: 'lms.auth',
    partition: 1,
    offset: 9,
    timestamp: DAY2,
    reason: 'late',
    message: 'event_time < wm',
    key: null,
    value: '{"x":"\\u0000é"}',
  },
  {
    topic: 'lms.video',
    partition: 0,
    offset: 3,
    timestamp: DAY2,
    reason: 'duplicate',
    message: 'seen',
    key: 'u2',
    value: 'not json at all\n',
  },
];

let root = '';
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('dead-letter files', () => {
  it('groups rejections into one file per topic and UTC date of the record timestamp', () => {
    const dirs = deadLetterOutputFiles(REJECTIONS).map((file) => file.dir);
    expect(dirs).toEqual([
      'dead_letter/lms.auth/date=2024-01-31',
      'dead_letter/lms.auth/date=2024-02-01',
      'dead_letter/lms.video/date=2024-02-01',
    ]);
  });

  it('reads back every rejection with its raw value unchanged, also through DuckDB', async () => {
    root = await mkdtemp(join(tmpdir(), 'io-dead-letter-'));
    const store = new FileObjectStore(root);
    for (const file of deadLetterOutputFiles(REJECTIONS))
      await store.put(finalKey(file, 'auth', 1), file.body);

    const back = await readDeadLetters(store, 'dead_letter/');
    expect(back).toEqual(REJECTIONS);
    const viaDuck = await duckRows(
      `SELECT value FROM read_json(${sqlString(`${root}/dead_letter/**/*.ndjson`)}, format = 'newline_delimited') ORDER BY topic, "offset"`,
    );
    expect(viaDuck.map((row) => row.value)).toEqual(REJECTIONS.map((r) => r.value));
  });
});

describe('dead letters keep key and value as received', () => {
  const random = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 256));
  const raw: DeadLetter[] = [
    { ...REJECTIONS[0]!, offset: 20, key: Buffer.from([0x75, 0xff]), value: random },
    { ...REJECTIONS[0]!, offset: 21, key: 'u1', value: null },
    { ...REJECTIONS[0]!, offset: 22, key: 'u1', value: '' },
  ];

  it('stores bytes that are not UTF-8 as base64 with an encoding field, a tombstone as null, text as before', () => {
    const [file] = deadLetterOutputFiles([REJECTIONS[0]!, ...raw]);
    const lines = Buffer.from(file!.body)
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((text) => JSON.parse(text) as Record<string, unknown>);

    expect(lines[0]).toEqual(REJECTIONS[0]); // no encoding fields for text
    expect(lines[1]).toMatchObject({ key: 'df8=', key_encoding: 'base64', value_encoding: 'base64' });
    expect(Buffer.from(lines[1]!.value as string, 'base64')).toEqual(random); // 4,096 bytes, not 7,485
    expect([lines[2]!.value, lines[3]!.value]).toEqual([null, '']);
  });

  it('reads them back unchanged, also through DuckDB', async () => {
    root = await mkdtemp(join(tmpdir(), 'io-dead-letter-'));
    const store = new FileObjectStore(root);
    for (const file of deadLetterOutputFiles(raw)) await store.put(finalKey(file, 'auth', 1), file.body);

    expect(await readDeadLetters(store, 'dead_letter/')).toEqual(raw);
    const viaDuck = await duckRows(
      `SELECT octet_length(from_base64(value)) AS bytes, value_encoding FROM read_json(${sqlString(`${root}/dead_letter/**/*.ndjson`)}, format = 'newline_delimited') ORDER BY "offset" LIMIT 1`,
    );
    expect(viaDuck).toEqual([{ bytes: '4096', value_encoding: 'base64' }]);
  });
});

describe('dead-letter file size', () => {
  it('splits a topic and date over several files below the limit, every record once and in order', async () => {
    root = await mkdtemp(join(tmpdir(), 'io-dead-letter-'));
    const store = new FileObjectStore(root);
    const many = Array.from({ length: 40 }, (_, index) => ({ ...REJECTIONS[0]!, offset: index }));
    const limit = 1000;

    const files = deadLetterOutputFiles(many, undefined, limit);
    for (const file of files) await store.put(finalKey(file, 'auth', 1), file.body);

    expect(files.length).toBeGreaterThan(3);
    expect(files.every((file) => file.body.byteLength <= limit)).toBe(true);
    expect(new Set(files.map((file) => finalKey(file, 'auth', 1))).size).toBe(files.length);
    const offsets = (await readDeadLetters(store, 'dead_letter/')).map((r) => r.offset);
    expect(offsets).toEqual(many.map((r) => r.offset)); // part files list in order
  });

  it('gives one record larger than the limit a file of its own', () => {
    const big = { ...REJECTIONS[0]!, value: 'x'.repeat(5000) };
    const files = deadLetterOutputFiles([REJECTIONS[0]!, big, REJECTIONS[0]!], undefined, 1000);
    const lines = files.map((file) => Buffer.from(file.body).toString('utf8').split('\n').length - 1);
    expect(lines).toEqual([1, 1, 1]);
  });
});

describe('utcDate (date directories)', () => {
  it('gives the UTC day of every instant, also when calls alternate between days', () => {
    const instants = [
      Date.UTC(2026, 10, 24, 23, 59, 59, 999),
      Date.UTC(2026, 10, 25),
      Date.UTC(2026, 10, 24),
      -1,
      0,
      Date.UTC(2024, 1, 29, 12),
      Date.UTC(2026, 10, 24, 23, 59, 59, 999),
    ];
    for (const ms of instants) expect(utcDate(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
  });

  it('refuses a time that is not one, as Date does', () => {
    expect(() => utcDate(Number.NaN)).toThrow(RangeError);
  });
});
