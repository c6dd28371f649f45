/** Checkpoints: when they are written, what they hold, and that a reader starting from one sees the same. */
import { describe, expect, it } from 'vitest';
import type { ParquetColumn } from '../../src/storage/parquet-columns.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import { decodeCheckpoint } from '../../src/storage/delta/checkpoint-parquet.ts';
import type { CommitResult } from '../../src/storage/delta/commit.ts';
import { compactPartition } from '../../src/storage/delta/compact-partition.ts';
import type { DataFile } from '../../src/storage/delta/data-file.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import type { DeltaSnapshot } from '../../src/storage/delta/snapshot.ts';
import {
  checkpointKey,
  commitKey,
  lastCheckpointKey,
  logPrefix,
  type DeltaTable,
} from '../../src/storage/delta/table-keys.ts';
import type { DeltaWriteOptions } from '../../src/storage/delta/write-options.ts';
import { tempDir } from './temp-dir.ts';

const COLUMNS: ParquetColumn[] = [
  { name: 'window_start', type: 'timestamp' },
  { name: 'course_id', type: 'string' },
];
const DAY_MS = 86_400_000;

const file = (commit: number): DataFile => ({
  path: `date=2025-01-0${1 + (commit % 3)}/job-${commit}.parquet`,
  sizeBytes: 100 + commit,
  modificationTimeMs: 1_000 + commit,
  stats: `{"numRecords":${commit}}`,
});

/** Appends commits `from..to` with txn (job, commit), each one file. */
async function appendCommits(
  table: DeltaTable,
  from: number,
  to: number,
  options: DeltaWriteOptions = {},
): Promise<CommitResult[]> {
  const results: CommitResult[] = [];
  for (let commit = from; commit <= to; commit += 1)
    results.push(
      await appendFiles(
        table,
        { columns: COLUMNS, files: [file(commit)], txn: { appId: 'job', version: commit } },
        options,
      ),
    );
  return results;
}

/** A file store whose disk is full for checkpoints. */
class CheckpointFailingStore extends FileObjectStore {
  override put(key: string, body: Uint8Array): Promise<void> {
    return key.endsWith('.checkpoint.parquet')
      ? Promise.reject(new Error('disk full'))
      : super.put(key, body);
  }
}

function newTable(): DeltaTable {
  return { store: new FileObjectStore(tempDir('delta-checkpoint-')), root: 'realtime_views/v' };
}

/** The parts of a snapshot a reader must agree on. */
const contents = (snapshot: DeltaSnapshot): unknown => ({
  version: snapshot.version,
  protocol: snapshot.protocol,
  metaData: snapshot.metaData,
  files: new Map(snapshot.files),
  tombstones: new Map(snapshot.tombstones),
  txns: new Map(snapshot.txns),
});

describe('checkpoints', () => {
  it('writes one at every 10th version, with _last_checkpoint pointing at it', async () => {
    const table = newTable();

    const results = await appendCommits(table, 1, 21);

    expect(results.filter((result) => 'checkpoint' in result).map((result) => result.version)).toEqual([
      10, 20,
    ]);
    const logKeys = await table.store.list(logPrefix(table));
    expect(logKeys.filter((key) => key.endsWith('.checkpoint.parquet'))).toEqual([
      checkpointKey(table, 10),
      checkpointKey(table, 20),
    ]);
    const last = JSON.parse((await table.store.get(lastCheckpointKey(table)))!.toString('utf8')) as unknown;
    // protocol + metaData + one txn + 21 adds
    expect(last).toEqual({
      version: 20,
      size: 24,
      sizeInBytes: expect.any(Number) as number,
      numOfAddFiles: 21,
    });
  });

  it('holds protocol, metaData, txns and live files, so a reader needs no earlier commit', async () => {
    const table = newTable();
    await appendCommits(table, 1, 12);
    const fromLog = await readSnapshot(table);

    await table.store.deleteMany(Array.from({ length: 10 }, (_, version) => commitKey(table, version)));
    const fromCheckpoint = await readSnapshot(table);

    expect(contents(fromCheckpoint)).toEqual(contents(fromLog));
    expect(fromCheckpoint.txns.get('job')?.version).toBe(12);
    expect(fromCheckpoint.files.get(file(3).path)).toEqual({
      path: file(3).path,
      partitionValues: { date: '2025-01-01' },
      size: 103,
      modificationTime: 1_003,
      dataChange: false,
      stats: '{"numRecords":3}',
    });
  });

  it('gives the same snapshot as replaying every commit', async () => {
    const table = newTable();
    await appendCommits(table, 1, 13);
    const fromCheckpoint = await readSnapshot(table);

    await table.store.deleteMany([checkpointKey(table, 10)]);

    expect(contents(await readSnapshot(table))).toEqual(contents(fromCheckpoint));
  });

  it('keeps tombstones younger than the retention and drops older ones', async () => {
    const table = newTable();
    let nowMs = 0;
    const options: DeltaWriteOptions = { nowMs: () => nowMs, tombstoneRetentionMs: 7 * DAY_MS };
    await appendCommits(table, 1, 4, options); // versions 0-3; files 1 and 4 share a date
    // version 4 on day 0, version 5 on day 3
    await compactPartition(table, { replaced: [file(1).path], merged: file(100) }, options);
    nowMs = 3 * DAY_MS;
    await compactPartition(table, { replaced: [file(4).path], merged: file(103) }, options);
    nowMs = 9 * DAY_MS;

    await appendCommits(table, 5, 9, options); // versions 6-10: the checkpoint at 10 is written on day 9

    const checkpoint = (await table.store.get(checkpointKey(table, 10)))!;
    const removes = (await decodeCheckpoint(checkpoint, 'checkpoint 10')).filter(
      (action) => 'remove' in action,
    );
    expect(removes).toEqual([
      {
        remove: {
          path: file(4).path,
          deletionTimestamp: 3 * DAY_MS,
          dataChange: false,
          extendedFileMetadata: true,
          partitionValues: { date: '2025-01-02' },
          size: 104,
        },
      },
    ]);
  });

  it('reads the table as of an earlier version, before or after a checkpoint', async () => {
    const table = newTable();
    await appendCommits(table, 1, 14);

    const atFour = await readSnapshot(table, { version: 4 });
    const atTwelve = await readSnapshot(table, { version: 12 });

    expect(atFour).toMatchObject({ version: 4 });
    expect(atFour.files.size).toBe(5);
    expect(atFour.txns.get('job')?.version).toBe(5);
    expect(atTwelve.files.size).toBe(13);
    await expect(readSnapshot(table, { version: 14 })).rejects.toThrow(/has no version 14 \(latest 13\)/);
  });

  it('reports a failed checkpoint without undoing the commit', async () => {
    const table: DeltaTable = { store: new CheckpointFailingStore(tempDir('delta-checkpoint-')), root: 'v' };

    const results = await appendCommits(table, 1, 11);

    expect(results[10]).toMatchObject({
      outcome: 'committed',
      version: 10,
      checkpointError: new Error('disk full'),
    });
    expect((await readSnapshot(table)).version).toBe(10);
  });

  it('writes none when the interval is 0', async () => {
    const table = newTable();

    await appendCommits(table, 1, 11, { checkpointInterval: 0 });

    expect(await table.store.exists(checkpointKey(table, 10))).toBe(false);
    expect(await table.store.exists(lastCheckpointKey(table))).toBe(false);
  });
});
