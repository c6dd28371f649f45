import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { writeCompleteness, writeRawEvents } from './batch-fixture.ts';
import { tempDir } from './temp-dir.ts';

const VIEW = 'auth_realtime_login_rate';

/** `speed-layer batch …`: exit code and output (tsx start-up takes seconds on a busy machine). */
function batch(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      ['bin/speed-layer.js', 'batch', ...args],
      { env: { PATH: process.env.PATH }, timeout: 110_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

async function rootWithOneDay(): Promise<string> {
  const dir = tempDir('batch-cli-');
  const store = new FileObjectStore(dir);
  const login = {
    event_id: 'e1',
    event_type: 'login_success',
    event_time: '2025-01-07T10:00:00.000Z',
    user_id: 'u1',
    ip: '10.0.0.1',
  };
  await writeRawEvents(store, 'lms.auth', '2025-01-07', [login]);
  await writeCompleteness(store, [VIEW], '2025-01-07T12:00:00.000Z');
  return pathToFileURL(dir).href;
}

describe('speed-layer batch (the command)', () => {
  it('fails with one line on stderr for a day that is not closed, and for an unknown view', async () => {
    const root = await rootWithOneDay();

    const open = await batch(['--date', '2025-01-07', '--views', VIEW, '--root', root]);
    expect(open.code).toBe(1);
    expect(open.stderr).toBe(
      'speed-layer batch: day 2025-01-07 is not closed: auth_realtime_login_rate is complete through ' +
        '2025-01-07T12:00:00.000Z; the day needs 2025-01-08T01:00:00.000Z (its end + 60 min)\n',
    );

    const unknown = await batch(['--date', '2025-01-06', '--views', 'nope', '--root', root]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^speed-layer batch: unknown view nope; choose from [^\n]+\n$/);
  });

  it('computes the closed days with --closed and reports its progress on stderr', async () => {
    const root = await rootWithOneDay();
    await writeCompleteness(new FileObjectStore(fileURLToPath(root)), [VIEW], '2025-01-09T00:00:00.000Z');

    const run = await batch(['--closed', '--views', VIEW, '--root', root]);

    expect(run.stderr).toMatch(/^batch: 2 day\(s\) to compute\n/);
    expect(run.stderr).toMatch(/batch: day 2025-01-07 \(2\/2\): 1 events → 1 rows of 1 views in [\d.]+ s\n/);
    // Then the day is reconciled: the speed layer has no rows here.
    expect(run.stderr).toMatch(
      /batch: day 2025-01-07 auth_realtime_login_rate: 0 equal, 0 differing, 1 only in batch, 0 only in speed \(0 late events of auth\)\nbatch: day 2025-01-07: 0 late events; report file:\/\/\S+\/reconciliation\/date=2025-01-07\.json\n$/,
    );
    expect(run.code).toBe(0);
  });

  it('refuses a call without exactly one way of naming days', async () => {
    const none = await batch(['--root', 'file:///nowhere']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/give exactly one of --date D, --from D1 --to D2, --closed/);
  });
});
