import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import { FakeInstance, at, loginRow, refs, tempStore } from './query-fixture.ts';
import { tempDir } from './temp-dir.ts';

const run = promisify(execFile);
// Starting the CLI (tsx + imports) takes up to ~20 s on a busy machine; a hung one is killed before the
// unit project's 120 s test timeout, so its output is reported.
const cli = (args: string[]) =>
  run('node', ['bin/speed-layer.js', 'query', ...args], {
    env: { PATH: process.env.PATH },
    timeout: 110_000,
  });

const fixture = await tempStore();
afterAll(() => fixture.remove());

describe('speed-layer query (CLI)', () => {
  it('prints a view of a file:// root as csv and reports the completeness watermark on stderr', async () => {
    const instance = new FakeInstance(fixture.store, 'auth', 'w', refs('lms.auth', 0, 1, 2, 3, 4, 5));
    const row = (hhmm: string, users: number) => ({
      window_start: at(hhmm),
      window_end: at(hhmm) + 60_000,
      active_users: users,
      events: users * 2,
    });
    await instance.commit(at('08:02'), {
      auth_realtime_active_users_1min: [row('08:00', 4), row('08:01', 5), row('08:02', 6)],
    });

    const { stdout, stderr } = await cli([
      'auth_realtime_active_users_1min',
      '--root',
      pathToFileURL(fixture.root).href,
      '--format',
      'csv',
      '--from',
      '2025-01-06T08:01:00Z',
    ]);

    expect(stdout).toBe(
      'window_start,window_end,active_users,events\n2025-01-06T08:01:00.000Z,2025-01-06T08:02:00.000Z,5,10\n',
    );
    expect(stderr).toContain('job auth complete through 2025-01-06T08:02:00.000Z');
  });

  it('fails with the list of views when the view is unknown', async () => {
    const failure = await cli(['no_such_view', '--root', pathToFileURL(fixture.root).href]).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );

    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(
      /unknown view no_such_view; choose from auth_realtime_active_users_1min/,
    );
  });

  it('writes every view and the dead letters as a replay/oracle dump with --all --out', async () => {
    const { root, store, remove } = await tempStore();
    const instance = new FakeInstance(store, 'auth', 'w', refs('lms.auth', 0, 1, 2, 3, 4, 5));
    await instance.commit(at('08:05'), { auth_realtime_login_rate: [loginRow('08:00', 1, 1)] });
    const out = join(tempDir('query-all-'), 'dump');
    try {
      const { stderr } = await cli(['--all', '--out', out, '--root', pathToFileURL(root).href]);

      expect((await readdir(out)).sort()).toEqual(
        [...VIEW_NAMES.map((v) => `${v}.jsonl`), '_rejected.jsonl'].sort(),
      );
      expect(await readFile(join(out, 'auth_realtime_login_rate.jsonl'), 'utf8')).toBe(
        '{"window_start":"2025-01-06T08:00:00.000Z","window_end":"2025-01-06T08:01:00.000Z","login_attempts":2,"login_successes":1,"login_failures":1,"success_rate":0.5}\n',
      );
      expect(await readFile(join(out, '_rejected.jsonl'), 'utf8')).toBe('');
      expect(stderr).toMatch(/1 rows of 25 views and 0 dead letters/);
    } finally {
      await remove();
    }
  });

  it('refuses --all without --out, and a view together with --all, in one line', async () => {
    for (const args of [['--all'], ['auth_realtime_login_rate', '--all', '--out', '/tmp/x']]) {
      const failure = (await cli(args).catch((error: unknown) => error)) as { code: number; stderr: string };
      expect(failure.code).toBe(1);
      expect(failure.stderr).toMatch(/query: (--all needs --out|give a view or --all, not both)/);
    }
  });

  it('names the S3 endpoint and the network error when S3 does not answer', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve)); // nothing listens there now
    const endpoint = `http://127.0.0.1:${port}`;
    const args = ['auth_realtime_login_rate', '--root', 's3://bucket-0', '--s3-endpoint', endpoint];
    const keys = ['--s3-access-key-id', 'k', '--s3-secret-access-key', 's'];

    const failure = (await cli([...args, ...keys]).catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };

    expect(failure.code).toBe(1);
    expect(failure.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure.stderr).toContain(`at ${endpoint}: Error (ECONNREFUSED) after 5 attempt(s)`);
  });
});
