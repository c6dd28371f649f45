import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestDeadLetterWriter, INGEST_DEAD_LETTER_PREFIX } from '../../src/ingest/dead-letter-writer.ts';
import { ingestBatch } from '../../src/ingest/ingest-batch.ts';
import { readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { wireValue } from '../fixtures/valid-events.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function store(): Promise<FileObjectStore> {
  const dir = await mkdtemp(join(tmpdir(), 'ingest-dl-'));
  dirs.push(dir);
  return new FileObjectStore(dir);
}

describe('IngestDeadLetterWriter', () => {
  it('stores rejections under dead_letter/ingest/date=<day of receipt>/ readable by readDeadLetters', async () => {
    const objects = await store();
    const writer = new IngestDeadLetterWriter(objects);
    const receivedMs = Date.UTC(2025, 0, 6, 23, 59);
    const batch = ingestBatch(
      'ndjson',
      Buffer.from(`${wireValue('logout')}\n{oops\n${wireValue('logout', { session_id: 5 })}`),
      {
        requestId: 'r-1',
        receivedMs,
      },
    );
    if (!batch.ok) throw new Error('expected a parsed body');
    await writer.write(batch.rejections);
    await writer.write([{ ...batch.rejections[0]!, timestamp: receivedMs + 60_000, request_id: 'r-2' }]);
    await writer.close();

    const keys = await objects.list(INGEST_DEAD_LETTER_PREFIX);
    expect(keys.map((key) => key.split('/').slice(0, 3).join('/'))).toEqual([
      'dead_letter/ingest/date=2025-01-06',
      'dead_letter/ingest/date=2025-01-07',
    ]);
    const stored = await readDeadLetters(objects, 'dead_letter/');
    expect(stored.map((rejection) => [rejection.value, rejection.reason, rejection.timestamp])).toEqual([
      ['{oops', 'invalid', receivedMs],
      [wireValue('logout', { session_id: 5 }), 'invalid', receivedMs],
      ['{oops', 'invalid', receivedMs + 60_000],
    ]);
    expect(stored[1]).toMatchObject({
      topic: 'lms.auth',
      key: 'u-1',
      line: 3,
      path: 'session_id',
      rule: 'type',
    });
  });

  it('keeps the bytes of a line that is not UTF-8, read back as bytes by readDeadLetters', async () => {
    const objects = await store();
    const writer = new IngestDeadLetterWriter(objects);
    const line = Buffer.from(wireValue('logout', { session_id: 's-X' }));
    line[line.indexOf('s-X') + 2] = 0xfe;
    const batch = ingestBatch('ndjson', line, { requestId: 'r-3', receivedMs: Date.UTC(2025, 0, 6) });
    if (!batch.ok) throw new Error('expected a parsed body');

    await writer.write(batch.rejections);
    await writer.close();

    const [stored] = await readDeadLetters(objects, 'dead_letter/');
    expect(stored).toMatchObject({ reason: 'invalid', rule: 'utf8', line: 1 });
    expect(Buffer.from(stored!.value as Uint8Array)).toEqual(line);
  });

  it('writes nothing for a request without rejections', async () => {
    const objects = await store();
    const writer = new IngestDeadLetterWriter(objects);
    await writer.write([]);
    await writer.close();
    expect(await objects.list('dead_letter/')).toEqual([]);
  });
});
