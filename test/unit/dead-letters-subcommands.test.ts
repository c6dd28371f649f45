import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetterLine,
  deadLetterOutputFiles,
  type DeadLetter,
} from '../../src/processor/io/dead-letter.ts';
import { DEFAULT_LAYOUT, finalKey } from '../../src/storage/layout.ts';
import { tempStore } from './query-fixture.ts';

const run = promisify(execFile);
// A broker nobody listens on: a command that tried to connect would fail, so exit 0 proves it did not.
const NO_KAFKA = { PATH: process.env.PATH, KAFKA_BROKERS: '127.0.0.1:1' };

/** Runs the CLI; a failure resolves too, with its exit code (a busy machine may take many seconds to start it). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/speed-layer.js', 'dead-letters', ...args], {
      env: NO_KAFKA,
      timeout: 110_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

const JAN6 = Date.parse('2025-01-06T08:00:00Z');
const letter = (offset: number, fields: Partial<DeadLetter> = {}): DeadLetter => ({
  topic: 'lms.auth',
  partition: 1,
  offset,
  timestamp: JAN6,
  reason: 'invalid',
  message: `bad at ${offset}`,
  key: 'u-1',
  value: `{"event_id":"e${offset}"}`,
  ...fields,
});
const LETTERS = [letter(3), letter(4, { value: Buffer.from([0x7b, 0xfe]) }), letter(5, { value: null })];

const fixture = await tempStore();
let root = '';
beforeAll(async () => {
  for (const file of deadLetterOutputFiles(LETTERS, DEFAULT_LAYOUT))
    await fixture.store.put(finalKey(file, 'auth', 1), file.body);
  root = pathToFileURL(fixture.root).href;
});
afterAll(() => fixture.remove());

describe('speed-layer dead-letters list | show (CLI)', () => {
  it('lists the same with and without `list`, and shows one position readably or fails in one line', async () => {
    const [plain, list, show, missing] = await Promise.all([
      cli(['--root', root]),
      cli(['list', '--root', root, '--topic', 'lms.auth', '--partition', '1', '--offset', '4']),
      cli(['show', '--root', root, '--topic', 'lms.auth', '--partition', '1', '--offset', '4']),
      cli(['show', '--root', root, '--topic', 'lms.auth', '--partition', '1', '--offset', '9']),
    ]);

    expect(plain.stdout).toBe(`${LETTERS.map(deadLetterLine).join('\n')}\n`);
    expect(list.stdout).toBe(`${deadLetterLine(LETTERS[1]!)}\n`);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('lms.auth partition 1 offset 4\n  reason: invalid\n  message: bad at 4\n');
    expect(show.stdout).toContain(
      '  value: 2 bytes, is not UTF-8 (byte 0xfe at byte offset 1); base64:\n    e/4=\n',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'speed-layer dead-letters show: no dead letter matches --topic lms.auth --partition 1 --offset 9\n',
    );
  });
});

describe('speed-layer dead-letters replay (CLI, without Kafka)', () => {
  it('refuses to replay the whole store without --all, and a dry run only prints what it would produce', async () => {
    const [unselected, dryRun] = await Promise.all([
      cli(['replay', '--root', root]),
      cli(['replay', '--root', root, '--topic', 'lms.auth', '--dry-run', '--topic-prefix', 't.']),
    ]);

    expect(unselected.code).toBe(1);
    expect(unselected.stderr).toMatch(/^dead-letters replay: say what to replay .* or pass --all/);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stderr).toBe(
      'dead-letters replay --dry-run: would produce 2 records; nothing was produced\n' +
        '  lms.auth → t.lms.auth: 2 (invalid 2)\n' +
        '  skipped 1 (tombstone 1, no topic 0)\n',
    );
    expect(
      dryRun.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([
      expect.objectContaining({ to_topic: 't.lms.auth', offset: 3 }),
      expect.objectContaining({ offset: 4, value: 'e/4=', value_encoding: 'base64' }),
    ]);
  });

  it('replays a --fixed file as edited, and stops at a bad line of one, naming it', async () => {
    const fixedFile = join(fixture.root, 'fixed.ndjson');
    const brokenFile = join(fixture.root, 'broken.ndjson');
    const fixedLine = deadLetterLine({ ...LETTERS[1]!, value: '{"event_id":"e4"}' });
    await writeFile(fixedFile, `${fixedLine}\n`);
    await writeFile(
      brokenFile,
      `${fixedLine}\n${fixedLine.replace('"reason":"invalid"', '"reason":"bad"')}\n`,
    );

    const [fixed, broken] = await Promise.all([
      cli(['replay', '--fixed', fixedFile, '--dry-run']),
      cli(['replay', '--fixed', brokenFile]),
    ]);

    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({
      headers: { 'speed-layer-replay-fixed': 'true', 'speed-layer-replay-of': 'lms.auth/1/4' },
      value: '{"event_id":"e4"}',
    });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(
      `speed-layer dead-letters replay: ${brokenFile} line 2: "reason" must be one of invalid, future, late, duplicate, got "bad"\n`,
    );
  });
});
