import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeError, failureLine } from '../../src/cli/cli-errors.ts';

const run = promisify(execFile);
// Starting the CLI (tsx + imports) takes up to ~20 s on a busy machine; a hung one is killed before the
// unit project's 120 s test timeout, so its output is reported.
const cli = (args: string[]) =>
  run('node', ['bin/speed-layer.js', ...args], { env: { PATH: process.env.PATH }, timeout: 110_000 });

describe('run-time failures of the CLI', () => {
  it('name the path of a file-system error instead of the system call', () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, open '/in.ndjson'"), {
      code: 'ENOENT',
      path: '/in.ndjson',
    });
    expect(describeError(error)).toBe('/in.ndjson: no such file or directory');
    expect(describeError(new Error('broker 127.0.0.1:1 refused the connection'))).toBe(
      'broker 127.0.0.1:1 refused the connection',
    );
  });

  it('name a package that a production install left out, and how to install it', () => {
    const error = Object.assign(
      new Error("Cannot find package '@faker-js/faker' imported from /app/dist/generator/world.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    expect(failureLine('generate', error)).toBe(
      'speed-layer generate: needs the package @faker-js/faker, which is not installed (a production install, ' +
        'npm ci --omit=dev, leaves out the dev tools): install it with `npm ci`',
    );
  });

  it('name the command once, whether or not the message already did', () => {
    expect(failureLine('query', new Error('query: unknown view x'))).toBe(
      'speed-layer query: unknown view x',
    );
    expect(failureLine('replay', 'no records')).toBe('speed-layer replay: no records');
    expect(failureLine(undefined, new Error('boom'))).toBe('speed-layer: boom');
  });

  it('print one line and exit 1, without usage or stack, when an input file is missing', async () => {
    const failure = await cli([
      'replay',
      '--in',
      '/nonexistent/records.ndjson',
      '--out',
      '/tmp/unused',
    ]).catch((error: unknown) => error as { code: number; stderr: string });

    expect(failure).toMatchObject({ code: 1 });
    const { stderr } = failure as { stderr: string };
    expect(stderr.trim().split('\n')).toEqual([
      'speed-layer replay: /nonexistent/records.ndjson: no such file or directory',
    ]);
  });

  it('print the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const { stdout } = await cli(['--version']);
    expect(stdout.trim()).toBe(version);
  });
});
