import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { oracleCommand } from '../../src/cli/oracle-command.ts';
import { formatRecordLine } from '../../src/events/record-file.ts';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import { MINUTE, RecordLog, T0 } from '../fixtures/oracle/record-log.ts';

describe('speed-layer oracle', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oracle-cli-'));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the 25 view files and _rejected.jsonl in the dump format of replay.md', async () => {
    const log = new RecordLog();
    log.event('login_success', T0 + MINUTE, { user_id: 'u-2' }, { partition: 1 });
    log.event('logout', T0, { user_id: 'u-1' });
    log.event('logout', T0 + 12 * MINUTE, { user_id: 'u-1' }); // 12 min later: same session with a 20 min gap
    log.raw('lms.auth', 'NaN');
    const recordFile = join(dir, 'records.ndjson');
    await writeFile(recordFile, log.records.map(formatRecordLine).join('\n') + '\n');
    const out = join(dir, 'out');

    await oracleCommand().parseAsync(['--in', recordFile, '--out', out, '--session-gap', '20m'], {
      from: 'user',
    });

    const files = (await readdir(out)).sort();
    expect(files).toEqual([...VIEW_NAMES.map((name) => `${name}.jsonl`), '_rejected.jsonl'].sort());
    expect(await readFile(join(out, 'auth_realtime_active_users_1min.jsonl'), 'utf8')).toBe(
      [
        '{"window_start":"2025-01-06T08:00:00.000Z","window_end":"2025-01-06T08:01:00.000Z","active_users":1,"events":1}',
        '{"window_start":"2025-01-06T08:01:00.000Z","window_end":"2025-01-06T08:02:00.000Z","active_users":1,"events":1}',
        '{"window_start":"2025-01-06T08:12:00.000Z","window_end":"2025-01-06T08:13:00.000Z","active_users":1,"events":1}',
        '',
      ].join('\n'),
    );
    expect(await readFile(join(out, 'auth_realtime_session_activity.jsonl'), 'utf8')).toBe(
      [
        '{"session_start":"2025-01-06T08:00:00.000Z","session_end":"2025-01-06T08:32:00.000Z","user_id":"u-1","events":2,"logins":0,"duration_seconds":720,"ended_by_logout":true}',
        '{"session_start":"2025-01-06T08:01:00.000Z","session_end":"2025-01-06T08:21:00.000Z","user_id":"u-2","events":1,"logins":1,"duration_seconds":0,"ended_by_logout":false}',
        '',
      ].join('\n'),
    );
    expect(await readFile(join(out, '_rejected.jsonl'), 'utf8')).toBe(
      '{"topic":"lms.auth","partition":0,"offset":2,"reason":"invalid"}\n',
    );
    expect(await readFile(join(out, 'video_realtime_popular_videos.jsonl'), 'utf8')).toBe('');
  });
});
