import { afterAll, describe, expect, it } from 'vitest';
import type { Topic } from '../../src/events/topics.ts';
import { generateRecords } from '../../src/generator/index.ts';
import { convertArchive } from '../../src/processor/io/archive-conversion.ts';
import { archiveLine } from '../../src/processor/io/archive-line.ts';
import { ArchiveThread, packLines } from '../../src/processor/io/archive-thread.ts';
import { ndjsonLines } from '../../src/processor/io/ndjson-parts.ts';
import type { OutputFile } from '../../src/storage/layout.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';

/** Valid generated records of one topic as a commit's pending file holds them: one body, split in lines. */
function pendingLines(topic: Topic, events: number): Uint8Array[] {
  const lines: string[] = [];
  for (const record of generateRecords({ events, seed: 7 }))
    if (record.topic === topic && record.fault === null && typeof record.value === 'string')
      lines.push(
        archiveLine({ ...record, value: record.value }, record.offset % 7 === 0 ? 'late' : 'accepted'),
      );
  return ndjsonLines(Buffer.from(`${lines.join('\n')}\n`));
}

/** The files with their rows read back, in a form to compare. */
async function readBack(files: readonly OutputFile[]) {
  return Promise.all(
    files.map(async ({ dir, extension, body }) => ({ dir, extension, ...(await readParquet(body)) })),
  );
}

const thread = new ArchiveThread();
afterAll(() => thread.close());

describe('the archive worker thread', () => {
  it('writes the files the conversion on this thread writes, byte for byte', async () => {
    const lines = pendingLines('lms.video', 6_000);
    const options = { maxRowsPerFile: 700, linesPerRowGroup: 300 };
    const here = convertArchive('raw/lms.video', 'lms.video', lines, options);

    const there = await thread.convert('raw/lms.video', 'lms.video', lines, options);

    expect(here.length).toBeGreaterThan(2); // several dates and parts
    expect(await readBack(there)).toEqual(await readBack(here));
    expect(there.map((file) => Buffer.from(file.body))).toEqual(here.map((file) => Buffer.from(file.body)));
  });

  it('takes whole pending bodies over without a copy, beside single lines, and writes the same files', async () => {
    const lines = pendingLines('lms.video', 3_000);
    const here = convertArchive('raw/lms.video', 'lms.video', lines, {});
    const half = Math.floor(lines.length / 2);
    // A body the way a store answers it: memory of its own, whole lines ending in a newline.
    const owned = new Uint8Array(packLines(lines.slice(0, half)));
    const pooled = Buffer.from(packLines(lines.slice(half, half + 1))); // a small Buffer shares the pool
    const items = [owned, pooled, ...lines.slice(half + 1)];

    const there = await thread.convert('raw/lms.video', 'lms.video', items);

    expect(owned.byteLength).toBe(0); // transferred: detached here
    expect(pooled.byteLength).toBeGreaterThan(0); // copied: the pool's other Buffers stay intact
    expect(await readBack(there)).toEqual(await readBack(here));
  });

  it('serves conversions sent together, each its own answer', async () => {
    const [auth, course] = [pendingLines('lms.auth', 3_000), pendingLines('lms.course', 3_000)];

    const [authFiles, courseFiles] = await Promise.all([
      thread.convert('raw/lms.auth', 'lms.auth', auth),
      thread.convert('raw/lms.course', 'lms.course', course),
    ]);

    const rows = async (files: OutputFile[]) => (await readBack(files)).flatMap((file) => file.rows);
    expect((await rows(authFiles)).map((row) => row.topic)).toEqual(auth.map(() => 'lms.auth'));
    expect((await rows(courseFiles)).length).toBe(course.length);
  });

  it('fails a conversion with a bad line, naming it, and keeps serving', async () => {
    const lines = [...pendingLines('lms.auth', 500).slice(0, 2), Buffer.from('1\t2\t3\tlost\t{}')];

    await expect(thread.convert('raw/lms.auth', 'lms.auth', lines)).rejects.toThrow(
      /^archive worker: raw\/lms\.auth: pending line 3 of 3: archive line: unknown status "lost"/,
    );
    expect(await thread.convert('raw/lms.auth', 'lms.auth', lines.slice(0, 2))).toHaveLength(1);
  });
});

describe('a worker that dies', () => {
  const crashing = new ArchiveThread(new URL('./archive-crashing-worker.ts', import.meta.url));
  afterAll(() => crashing.close());
  const line = [Buffer.from('1\t2\t3\taccepted\t{}')];

  it('fails the conversions it held with its error, and the next conversion starts a new worker', async () => {
    await expect(crashing.convert('throw', 'lms.auth', line)).rejects.toThrow(
      'archive worker failed: boom in the worker',
    );
    await expect(crashing.convert('exit', 'lms.auth', line)).rejects.toThrow(
      'archive worker exited with code 3',
    );
  });
});

describe('packing lines for the worker', () => {
  it('gives each line followed by a newline, whether the lines share a body or not', () => {
    const body = Buffer.from('a\nbb\n\nccc\nd');
    const lines = [...ndjsonLines(body), Buffer.from('e\tf'), body.subarray(0, 1), body.subarray(2, 4)];

    expect(Buffer.from(packLines(lines)).toString()).toBe('a\nbb\nccc\nd\ne\tf\na\nbb\n');
  });

  it('packs whole bodies as they are, beside single lines', () => {
    const body = Buffer.from('a\nbb\n');
    const items = [body, Buffer.from('c'), body.subarray(0, 2), body.subarray(2), Buffer.from('d\ne\n')];

    expect(Buffer.from(packLines(items)).toString()).toBe('a\nbb\nc\na\nbb\nd\ne\n');
  });
});
