import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { viewSpec } from '../../src/events/view-catalog.ts';
import { writeViewDump, type ViewRow } from '../../src/events/view-dump.ts';
import { formatRows } from '../../src/processor/query/index.ts';

const spec = viewSpec('course_realtime_download_activity');
const rows: ViewRow[] = [
  {
    window_start: Date.UTC(2025, 0, 6, 8, 0),
    window_end: Date.UTC(2025, 0, 6, 8, 5),
    course_id: 'c-1',
    downloads: 3,
    bytes: 1024n,
    distinct_users: 2,
  },
  {
    window_start: Date.UTC(2025, 0, 6, 8, 0),
    window_end: Date.UTC(2025, 0, 6, 8, 5),
    course_id: 'say "hi", ok',
    downloads: 12,
    bytes: 7,
    distinct_users: 1,
  },
];
const rates = viewSpec('auth_realtime_login_rate');
const rateRow: ViewRow = {
  window_start: 0,
  window_end: 60_000,
  login_attempts: 3,
  login_successes: 1,
  login_failures: 2,
  success_rate: 1 / 3,
};
const emptyRate: ViewRow = {
  ...rateRow,
  window_start: 60_000,
  window_end: 120_000,
  login_attempts: 0,
  login_successes: 0,
  login_failures: 0,
  success_rate: null,
};

describe('query output formats', () => {
  it('prints json lines identical to the lines of a replay.md view dump', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'query-format-'));
    try {
      await writeViewDump(dir, new Map([[spec.name, rows]]), []);
      const dump = await readFile(join(dir, `${spec.name}.jsonl`), 'utf8');
      expect(`${formatRows('json', spec, rows).join('\n')}\n`).toBe(dump);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints csv with a header, ISO timestamps, RFC 4180 quoting and null as an empty field', () => {
    expect(formatRows('csv', spec, rows)).toEqual([
      'window_start,window_end,course_id,downloads,bytes,distinct_users',
      '2025-01-06T08:00:00.000Z,2025-01-06T08:05:00.000Z,c-1,3,1024,2',
      '2025-01-06T08:00:00.000Z,2025-01-06T08:05:00.000Z,"say ""hi"", ok",12,7,1',
    ]);
    expect(formatRows('csv', rates, [rateRow, emptyRate])[2]).toBe(
      '1970-01-01T00:01:00.000Z,1970-01-01T00:02:00.000Z,0,0,0,',
    );
  });

  it('prints an aligned table with numbers right-aligned and doubles rounded', () => {
    const lines = formatRows('table', rates, [rateRow, emptyRate]);

    expect(lines[0]!.split(/\s{2,}/)).toEqual([
      'window_start',
      'window_end',
      'login_attempts',
      'login_successes',
      'login_failures',
      'success_rate',
    ]);
    expect(lines[1]).toMatch(/^-+( {2}-+){5}$/);
    expect(lines[2]!.endsWith('      0.3333')).toBe(true);
    expect(lines[3]!.endsWith('        null')).toBe(true);
    const attemptsEnd = lines[0]!.indexOf('login_attempts') + 'login_attempts'.length;
    expect(lines[2]![attemptsEnd - 1]).toBe('3');
  });
});
