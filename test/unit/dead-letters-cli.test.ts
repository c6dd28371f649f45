import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { deadLetterOutputFiles, type DeadLetter } from '../../src/processor/io/dead-letter.ts';
import { DEFAULT_LAYOUT, finalKey } from '../../src/storage/layout.ts';
import { tempStore } from './query-fixture.ts';

const run = promisify(execFile);
// A busy machine may take many seconds to start the CLI; a hung one is killed before the test timeout.
const cli = (args: string[]) =>
  run('node', ['bin/speed-layer.js', 'dead-letters', ...args], {
    env: { PATH: process.env.PATH },
    timeout: 110_000,
  });

const fixture = await tempStore();
afterAll(() => fixture.remove());

const letter = (
  topic: string,
  offset: number,
  reason: DeadLetter['reason'],
  timestamp: number,
): DeadLetter => ({
  topic,
  partition: 1,
  offset,
  timestamp,
  reason,
  message: `${reason} at ${offset}`,
  key: 'u-1',
  value: offset === 3 ? 'not json {' : `{"event_id":"e${offset}"}`,
});

describe('speed-layer dead-letters (CLI)', () => {
  it('prints the dead letters with their raw values, filtered by topic, reason and time', async () => {
    const jan6 = Date.parse('2025-01-06T08:00:00Z');
    const jan7 = Date.parse('2025-01-07T08:00:00Z');
    const letters = [
      letter('lms.auth', 5, 'late', jan6),
      letter('lms.auth', 3, 'invalid', jan6),
      letter('lms.auth', 9, 'late', jan7),
      letter('lms.video', 1, 'late', jan6),
    ];
    for (const file of deadLetterOutputFiles(letters, DEFAULT_LAYOUT))
      await fixture.store.put(finalKey(file, 'auth', 1), file.body);
    const root = pathToFileURL(fixture.root).href;

    const all = await cli(['--root', root]);
    const late = await cli([
      '--root',
      root,
      '--topic',
      'lms.auth',
      '--reason',
      'late',
      '--to',
      '2025-01-07T00:00:00Z',
    ]);

    expect(
      all.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as DeadLetter).offset),
    ).toEqual([3, 5, 9, 1]);
    expect(JSON.parse(all.stdout.split('\n')[0]!)).toEqual(letters[1]);
    expect(all.stderr).toContain('dead-letters: 4 records (invalid 1, future 0, late 3, duplicate 0)');
    expect(late.stdout).toBe(`${JSON.stringify(letters[0])}\n`);
  });

  it('prints a key and value that are not UTF-8 as base64 with an encoding field, and a tombstone as null', async () => {
    const own = await tempStore();
    onTestFinished(() => own.remove());
    const jan6 = Date.parse('2025-01-06T08:00:00Z');
    const letters: DeadLetter[] = [
      {
        ...letter('lms.course', 1, 'invalid', jan6),
        key: Buffer.from([0xff]),
        value: Buffer.from([0x7b, 0xfe]),
      },
      { ...letter('lms.course', 2, 'invalid', jan6), value: null },
    ];
    for (const file of deadLetterOutputFiles(letters, DEFAULT_LAYOUT))
      await own.store.put(finalKey(file, 'course', 1), file.body);

    const printed = await cli(['--root', pathToFileURL(own.root).href]);

    expect(
      printed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([
      expect.objectContaining({
        offset: 1,
        key: '/w==',
        key_encoding: 'base64',
        value: 'e/4=',
        value_encoding: 'base64',
      }),
      expect.objectContaining({ offset: 2, key: 'u-1', value: null }),
    ]);
  });

  it('refuses an unknown reason in one usage line', async () => {
    const failure = (await cli(['--reason', 'bogus']).catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/option '--reason <reason>' argument 'bogus' is invalid/);
  });
});
