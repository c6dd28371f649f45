/**
 * Log cleanup: which commits and checkpoints go (older than the log retention and before a checkpoint that
 * stays) and which stay, and that readers still read every version the log keeps.
 */
import { describe, expect, it } from 'vitest';
import { cleanUpLog } from '../../src/storage/delta/clean-up-log.ts';
import { readSnapshot, updateSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { parseIntervalMs } from '../../src/storage/delta/retention.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { lastCheckpointKey, logPrefix, type DeltaTable } from '../../src/storage/delta/table-keys.ts';
import {
  DAY_MS,
  HOUR_MS,
  buildTable,
  commitNames,
  hourly,
  logNames,
  newTable,
} from './delta-cleanup-fixture.ts';

/** A file store whose first listing is one taken earlier. */
class StaleListStore extends FileObjectStore {
  lists = 0;
  constructor(
    rootDir: string,
    private stale: string[] | undefined,
  ) {
    super(rootDir);
  }
  override list(prefix: string): Promise<string[]> {
    this.lists += 1;
    const stale = this.stale;
    this.stale = undefined;
    return stale === undefined ? super.list(prefix) : Promise.resolve(stale);
  }
}

/** Versions 0-24 at T0 + v hours: checkpoints at 10 (T0 + 10 h) and 20 (T0 + 20 h). */
async function table25(configuration?: Record<string, string>): Promise<DeltaTable> {
  const table = newTable();
  await buildTable(table, { last: 24, ...(configuration && { configuration }) });
  return table;
}

/** Cleanup at T0 + 24 h with the given retention, i.e. cut-off time T0 + 24 h - retention. */
const cleanUpAtDay1 = (table: DeltaTable, logRetentionMs?: number) =>
  cleanUpLog(table, { nowMs: () => hourly(24), logRetentionMs });

describe('log cleanup', () => {
  it('deletes nothing while the table has no checkpoint', async () => {
    const table = newTable();
    await buildTable(table, { last: 8 });

    const result = await cleanUpLog(table, { nowMs: () => hourly(1_000), logRetentionMs: 0 });

    expect(result).toEqual({ outcome: 'kept', reason: 'no_checkpoint' });
    expect(await logNames(table)).toEqual(commitNames(0, 8));
  });

  it('deletes nothing while every checkpoint is younger than the retention (default 30 days)', async () => {
    const table = await table25();
    const before = await logNames(table);

    expect(await cleanUpAtDay1(table)).toEqual({ outcome: 'kept', reason: 'retention_not_reached' });
    expect(await cleanUpAtDay1(table, 15 * HOUR_MS)).toMatchObject({ reason: 'retention_not_reached' });
    expect(await logNames(table)).toEqual(before);
  });

  it('deletes everything before the newest checkpoint older than the retention', async () => {
    const table = await table25();
    const at22 = await readSnapshot(table, { version: 22 });
    const latest = await readSnapshot(table);

    // cut-off time T0 + 20.5 h: both checkpoints are older; 20 is the newest
    const result = await cleanUpAtDay1(table, 3.5 * HOUR_MS);

    expect(result).toMatchObject({ outcome: 'cleaned', cutOffCheckpoint: 20, cutOffMs: hourly(20.5) });
    expect(result.outcome === 'cleaned' && result.deleted).toHaveLength(21); // commits 0-19, checkpoint 10
    expect(await logNames(table)).toEqual([
      '20.checkpoint.parquet',
      ...commitNames(20, 24),
      '_last_checkpoint',
    ]);
    expect(await readSnapshot(table)).toEqual(latest);
    expect(await readSnapshot(table, { version: 22 })).toEqual(at22);
    expect((await readSnapshot(table, { version: 20 })).files.size).toBe(21);
  });

  it('keeps an older checkpoint and every version after it when the newest is within the retention', async () => {
    const table = await table25();

    // cut-off time T0 + 15 h: checkpoint 10 is older, 20 is not
    const result = await cleanUpAtDay1(table, 9 * HOUR_MS);

    expect(result).toMatchObject({ outcome: 'cleaned', cutOffCheckpoint: 10 });
    expect(await logNames(table)).toEqual([
      '10.checkpoint.parquet',
      ...commitNames(10, 19),
      '20.checkpoint.parquet',
      ...commitNames(20, 24),
      '_last_checkpoint',
    ]);
    expect((await readSnapshot(table, { version: 15 })).version).toBe(15);
  });

  it('treats a checkpoint exactly at the cut-off time as old enough', async () => {
    const table = await table25();

    const result = await cleanUpAtDay1(table, 4 * HOUR_MS); // cut-off time T0 + 20 h

    expect(result).toMatchObject({ outcome: 'cleaned', cutOffCheckpoint: 20 });
  });

  it('never deletes the newest checkpoint, its commit or _last_checkpoint, even with retention 0', async () => {
    const table = await table25();

    await cleanUpLog(table, { nowMs: () => hourly(10_000), logRetentionMs: 0 });

    expect(await logNames(table)).toEqual([
      '20.checkpoint.parquet',
      ...commitNames(20, 24),
      '_last_checkpoint',
    ]);
  });

  it('makes time travel to a deleted version an invalid request', async () => {
    const table = await table25();
    await cleanUpAtDay1(table, 0);

    await expect(readSnapshot(table, { version: 19 })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/version 19 is no longer in the log \(log cleanup\)/) as string,
    });
  });

  it('is idempotent: a second run finds nothing more to delete', async () => {
    const table = await table25();
    await cleanUpAtDay1(table, 0);

    const again = await cleanUpAtDay1(table, 0);

    expect(again).toMatchObject({ outcome: 'cleaned', cutOffCheckpoint: 20, deleted: [] });
  });

  it('lists again when a file it listed was deleted before it read it', async () => {
    const table = await table25();
    const stale = await table.store.list(logPrefix(table));
    await cleanUpAtDay1(table, 0);
    const store = new StaleListStore((table.store as FileObjectStore).rootDir, stale);

    // the stale listing has checkpoint 10; reading it fails, the new listing says the version is gone
    await expect(readSnapshot({ store, root: table.root }, { version: 15 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(store.lists).toBe(2);
  });

  it('lets a writer whose snapshot predates the cleanup catch up from the checkpoint', async () => {
    const table = newTable();
    const snapshots = await buildTable(table, { last: 24 });
    await cleanUpAtDay1(table, 0);

    const caughtUp = await updateSnapshot(table, snapshots[5]!);

    expect(caughtUp).toEqual(await readSnapshot(table));
    expect(caughtUp.files.size).toBe(25);
  });

  it('goes no further than the checkpoint _last_checkpoint names', async () => {
    const table = await table25();
    // the put of _last_checkpoint for 20 was lost: it still names 10
    const last = { version: 10, size: 13, sizeInBytes: 1, numOfAddFiles: 11 };
    await table.store.put(lastCheckpointKey(table), Buffer.from(JSON.stringify(last)));

    expect(await cleanUpAtDay1(table, 0)).toMatchObject({ outcome: 'cleaned', cutOffCheckpoint: 10 });
    await table.store.deleteMany([lastCheckpointKey(table)]);
    expect(await cleanUpAtDay1(table, 0)).toEqual({ outcome: 'kept', reason: 'no_checkpoint' });
  });

  it('stops at the first checkpoint newer than the cut-off, even if a later one looks older', async () => {
    const table = newTable();
    // version 10 at T0 + 20 h, then the clock goes back: version 20 at T0 + 2 h
    const timeOf = (version: number) => (version === 10 ? hourly(20) : hourly(version % 10));
    await buildTable(table, { last: 24, timeOf });

    const result = await cleanUpLog(table, { nowMs: () => hourly(15), logRetentionMs: 0 });

    expect(result).toEqual({ outcome: 'kept', reason: 'retention_not_reached' });
  });

  it('uses the table property delta.logRetentionDuration over the option', async () => {
    const shortProperty = await table25({ 'delta.logRetentionDuration': 'interval 3 hours' });
    const longProperty = await table25({ 'delta.logRetentionDuration': '30 days' });

    expect(await cleanUpAtDay1(shortProperty, 30 * DAY_MS)).toMatchObject({ cutOffCheckpoint: 20 });
    expect(await cleanUpAtDay1(longProperty, 0)).toMatchObject({ reason: 'retention_not_reached' });
  });

  it('refuses a table property it cannot read, and a bad option', async () => {
    const table = await table25({ 'delta.logRetentionDuration': 'forever' });

    await expect(cleanUpAtDay1(table)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('delta.logRetentionDuration = "forever"') as string,
    });
    await expect(cleanUpAtDay1(table, -1)).rejects.toThrow(
      'cleanUpLog: logRetentionMs must be an integer number of ms >= 0, got -1',
    );
  });
});

describe("Delta's interval text", () => {
  it.each([
    ['interval 30 days', 30 * DAY_MS],
    ['7 days', 7 * DAY_MS],
    ['INTERVAL 1 DAY 12 HOURS', 36 * HOUR_MS],
    ['interval 1 week', 7 * DAY_MS],
    ['  2 hours 30 minutes ', 2.5 * HOUR_MS],
    ['interval 90 seconds 500 milliseconds', 90_500],
    ['interval 1500 microseconds', 1],
    ['interval 0 days', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseIntervalMs(text)).toBe(ms);
  });

  it.each(['', 'interval', '30', 'days 30', '1 month', '1 year', '-1 days', '1.5 hours', '3 fortnights'])(
    'refuses %j',
    (text) => {
      expect(parseIntervalMs(text)).toBeUndefined();
    },
  );
});
