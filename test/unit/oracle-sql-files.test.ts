import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VIEW_SPECS } from '../../src/events/view-catalog.ts';
import { MINUTE, RecordLog, SECOND, T0 } from '../fixtures/oracle/record-log.ts';

/** BIGINT columns come back as bigint; the oracle's rows hold numbers. */
const asNumber = (_: string, value: unknown): unknown => (typeof value === 'bigint' ? Number(value) : value);

const QUERIES = new URL('../../src/oracle/queries/', import.meta.url);

describe('the oracle SQL files', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'oracle-sql-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('give the same rows in a fresh DuckDB over the exported events Parquet file', async () => {
    const log = new RecordLog();
    log.event('login_success', T0, { user_id: 'u-1' });
    log.event('logout', T0 + 20 * SECOND, { user_id: 'u-1' });
    log.event('video_play', T0 + MINUTE, { user_id: 'u-1', video_id: 'v-1' });
    log.event('assignment_submitted', T0, { user_id: 'u-1', submission_id: 's-1' });
    log.event('assignment_graded', T0 + 3 * MINUTE, { user_id: 'u-1', submission_id: 's-1' });
    const eventsParquetPath = join(dir, 'events.parquet');
    const result = await log.run({ sessionGapMs: 5 * MINUTE, eventsParquetPath });

    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`CREATE TEMP TABLE events AS FROM read_parquet('${eventsParquetPath}')`);
    await connection.run(await readFile(new URL('_prelude.sql', QUERIES), 'utf8'));
    await connection.run('SET VARIABLE session_gap_ms = 300000');
    for (const spec of VIEW_SPECS) {
      const reader = await connection.runAndReadAll(
        await readFile(new URL(`${spec.name}.sql`, QUERIES), 'utf8'),
      );
      const rows = reader.getRowObjectsJS().map((row) => JSON.stringify(row, asNumber));
      expect(rows.length, spec.name).toBe(result.rowsByView.get(spec.name)!.length);
      expect(rows.sort(), spec.name).toEqual(
        result.rowsByView
          .get(spec.name)!
          .map((row) => JSON.stringify(row))
          .sort(),
      );
    }
    connection.closeSync();
    instance.closeSync();
    expect(result.rowsByView.get('auth_realtime_session_activity')).toHaveLength(1);
    expect(result.rowsByView.get('assessment_realtime_grading_queue')).toHaveLength(1);
  });
});
