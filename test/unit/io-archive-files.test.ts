import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveColumns } from '../../src/events/archive-columns.ts';
import { archiveFiles, archiveLine } from '../../src/processor/io/archive-files.ts';
import { duckRows, sqlString } from './io-duckdb.ts';
import { tempDir } from './temp-dir.ts';

const profile = {
  event_id: 'e1',
  event_type: 'profile_updated',
  event_time: '2025-01-06T23:59:59.500Z',
  user_id: 'u1',
  course_id: null,
  fields: ['bio', 'avatar'],
};
const download = {
  event_id: 'e2',
  event_type: 'resource_downloaded',
  event_time: '2025-01-07T00:00:01Z',
  user_id: 'u2',
  course_id: 'c1',
  material_id: 'm1',
  bytes: 9_007_199_254_740_991,
};

const lineOf = (event: object, offset: number, status: 'accepted' | 'late'): Uint8Array =>
  Buffer.from(
    archiveLine({ partition: 2, offset, timestamp: 1_736_208_000_000, value: JSON.stringify(event) }, status),
  );

describe('the raw archive files', () => {
  it('types every field as the contract does and dates rows by event time', async () => {
    const files = await archiveFiles('raw/lms.profile', 'lms.profile', [lineOf(profile, 7, 'late')]);

    expect(files.map((file) => `${file.dir} ${file.extension}`)).toEqual([
      'raw/lms.profile/date=2025-01-06 parquet',
    ]);
    const path = join(tempDir('archive-files-'), 'a.parquet');
    await writeFile(path, files[0]!.body);
    const [row] = await duckRows(
      `SELECT event_id, event_time, epoch_ms(event_time_ms) AS ms, fields, session_id, topic, "partition",` +
        ` "offset", epoch_ms(record_timestamp) AS ts, speed_status FROM read_parquet(${sqlString(path)})`,
    );
    expect(row).toEqual({
      event_id: 'e1',
      event_time: '2025-01-06T23:59:59.500Z',
      ms: String(Date.parse('2025-01-06T23:59:59.500Z')),
      fields: '["bio","avatar"]',
      session_id: null,
      topic: 'lms.profile',
      partition: '2',
      offset: '7',
      ts: '1736208000000',
      speed_status: 'late',
    });
  });

  it('keeps an int64 field exact and splits a date above the row limit', async () => {
    const lines = [0, 1, 2].map((offset) => lineOf(download, offset, 'accepted'));

    const files = await archiveFiles('raw/lms.course', 'lms.course', lines, {
      maxRowsPerFile: 2,
      linesPerRowGroup: 1,
    });

    expect(files.map((file) => file.extension)).toEqual(['parquet', 'p0001.parquet']);
    const dir = tempDir('archive-split-');
    await Promise.all(files.map((file, i) => writeFile(join(dir, `${i}.parquet`), file.body)));
    const rows = await duckRows(
      `SELECT "offset", bytes FROM read_parquet(${sqlString(join(dir, '*.parquet'))}) ORDER BY 1`,
    );
    expect(rows).toEqual([0, 1, 2].map((offset) => ({ offset: String(offset), bytes: '9007199254740991' })));
    expect(archiveColumns('lms.course').find((c) => c.name === 'bytes')?.type).toBe('int64');
  });
});
