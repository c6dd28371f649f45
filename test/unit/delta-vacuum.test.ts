/**
 * VACUUM: which data files go (removed longer ago than the deleted-file retention, named by no live add)
 * and which stay (live, removed recently, never committed, hidden).
 */
import { describe, expect, it } from 'vitest';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import { compactPartition } from '../../src/storage/delta/compact-partition.ts';
import type { DeltaSnapshot } from '../../src/storage/delta/snapshot.ts';
import type { DeltaTable } from '../../src/storage/delta/table-keys.ts';
import { vacuum } from '../../src/storage/delta/vacuum.ts';
import {
  COLUMNS,
  DAY_MS,
  HOUR_MS,
  TestClock,
  buildTable,
  dataFile,
  hourly,
  newTable,
} from './delta-cleanup-fixture.ts';

const key = (table: DeltaTable, name: string): string => `${table.root}/date=2025-01-01/${name}.parquet`;
const HIDDEN = ['_completeness.json', 'date=2025-01-01/_part.parquet', '_tmp/x.parquet'];

interface Compacted {
  table: DeltaTable;
  clock: TestClock;
  /** The writer's snapshot after the compaction. */
  snapshot: DeltaSnapshot;
}

/**
 * Versions 0-3 add v-0..v-3 (T0 + v hours); version 4 (T0 + 4 h) compacts v-0 and v-1 into m. The store
 * also has a file no commit names (orphan: its writer crashed) and hidden files.
 */
async function compactedTable(configuration?: Record<string, string>): Promise<Compacted> {
  const table = newTable();
  const clock = new TestClock();
  const snapshots = await buildTable(table, { last: 3, clock, ...(configuration && { configuration }) });
  for (const name of ['v-0', 'v-1', 'v-2', 'v-3', 'm', 'orphan'])
    await table.store.put(key(table, name), Buffer.from(name));
  for (const name of HIDDEN) await table.store.put(`${table.root}/${name}`, Buffer.from(name));
  clock.nowMs = hourly(4);
  const replaced = [dataFile('v-0').path, dataFile('v-1').path];
  const result = await compactPartition(
    table,
    { replaced, merged: dataFile('m'), from: snapshots.at(-1)! },
    clock.options,
  );
  return { table, clock, snapshot: result.snapshot };
}

const tableKeys = async (table: DeltaTable): Promise<string[]> =>
  (await table.store.list(`${table.root}/`)).filter((name) => !name.includes('_delta_log/'));

describe('vacuum', () => {
  it('deletes removed files once their tombstone is older than the retention (default 7 days)', async () => {
    const { table } = await compactedTable();

    const result = await vacuum(table, { nowMs: () => hourly(4) + 7 * DAY_MS + 1 });

    expect(result).toEqual({
      cutOffMs: hourly(4) + 1,
      deleted: [key(table, 'v-0'), key(table, 'v-1')],
      retained: [],
      untracked: [key(table, 'orphan')],
    });
    expect(await tableKeys(table)).toEqual(
      [
        ...['m', 'orphan', 'v-2', 'v-3'].map((name) => key(table, name)),
        ...HIDDEN.map((name) => `${table.root}/${name}`),
      ].sort(),
    );
  });

  it('keeps removed files while the retention lasts, a tombstone exactly at the cut-off included', async () => {
    const { table } = await compactedTable();
    const before = await tableKeys(table);

    const result = await vacuum(table, { nowMs: () => hourly(4) + 7 * DAY_MS });

    expect(result).toMatchObject({ deleted: [], retained: [key(table, 'v-0'), key(table, 'v-1')] });
    expect(await tableKeys(table)).toEqual(before);
  });

  it('never deletes a file no commit names, however late (its age is unknown)', async () => {
    const { table } = await compactedTable();

    const result = await vacuum(table, { nowMs: () => hourly(4) + 365 * DAY_MS, deletedFileRetentionMs: 0 });

    expect(result.untracked).toEqual([key(table, 'orphan')]);
    expect(await table.store.exists(key(table, 'orphan'))).toBe(true);
  });

  it('only reports in a dry run', async () => {
    const { table } = await compactedTable();
    const before = await tableKeys(table);

    const result = await vacuum(table, { nowMs: () => hourly(5), deletedFileRetentionMs: 0, dryRun: true });

    expect(result.deleted).toEqual([key(table, 'v-0'), key(table, 'v-1')]);
    expect(await tableKeys(table)).toEqual(before);
  });

  it('uses the table property delta.deletedFileRetentionDuration over the option', async () => {
    const { table } = await compactedTable({ 'delta.deletedFileRetentionDuration': 'interval 1 hour' });

    const result = await vacuum(table, { nowMs: () => hourly(5) + 1, deletedFileRetentionMs: 30 * DAY_MS });

    expect(result.deleted).toEqual([key(table, 'v-0'), key(table, 'v-1')]);
  });

  it('sees a tombstone the newest checkpoint dropped only in a snapshot replayed from before it', async () => {
    const { table, clock, snapshot } = await compactedTable();
    // versions 5-10 eight days later: the checkpoint at 10 keeps no tombstone older than 7 days
    clock.nowMs = hourly(4) + 8 * DAY_MS;
    let replayed = snapshot;
    for (let version = 5; version <= 10; version += 1)
      replayed = (
        await appendFiles(
          table,
          { columns: COLUMNS, files: [dataFile(`v-${version}`)], from: replayed },
          clock.options,
        )
      ).snapshot;
    const nowMs = () => clock.nowMs + HOUR_MS;

    const fromLog = await vacuum(table, { nowMs, dryRun: true });
    const fromWriter = await vacuum(table, { nowMs, snapshot: replayed });

    expect(fromLog).toMatchObject({ deleted: [] });
    expect(fromLog.untracked).toContain(key(table, 'v-0'));
    expect(fromWriter.deleted).toEqual([key(table, 'v-0'), key(table, 'v-1')]);
  });

  it('refuses a bad retention option', async () => {
    await expect(vacuum(newTable(), { deletedFileRetentionMs: 1.5 })).rejects.toThrow(
      'vacuum: deletedFileRetentionMs must be an integer number of ms >= 0, got 1.5',
    );
  });
});
