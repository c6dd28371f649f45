import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeInstance, at, refs, tempStore } from './query-fixture.ts';

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
});
