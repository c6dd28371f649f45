import { describe, expect, it } from 'vitest';
import type { ParquetColumn } from '../../src/storage/parquet-columns.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { parseCommit, type Action } from '../../src/storage/delta/actions.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import { compactPartition } from '../../src/storage/delta/compact-partition.ts';
import { addOf, type DataFile } from '../../src/storage/delta/data-file.ts';
import { isDeltaError } from '../../src/storage/delta/delta-error.ts';
import { deltaSchemaString, metaDataOf } from '../../src/storage/delta/schema.ts';
import { EMPTY_SNAPSHOT, liveFiles, replay } from '../../src/storage/delta/snapshot.ts';
import {
  checkpointKey,
  commitKey,
  dataKey,
  logFileOfKey,
  partitionDateOfPath,
  toDeltaPath,
  type DeltaTable,
} from '../../src/storage/delta/table-keys.ts';
import { tempDir } from './temp-dir.ts';

const COLUMNS: ParquetColumn[] = [
  { name: 'window_start', type: 'timestamp' },
  { name: 'events', type: 'int64' },
  { name: 'rate', type: 'double' },
  { name: 'course_id', type: 'string' },
  { name: '_ids', type: 'json' },
  { name: 'flag', type: 'boolean' },
];

const file = (path: string, sizeBytes = 100): DataFile => ({ path, sizeBytes, modificationTimeMs: 1_000 });

function newTable(): DeltaTable {
  return { store: new FileObjectStore(tempDir('delta-actions-')), root: 'realtime_views/v' };
}

async function commitLines(table: DeltaTable, version: number): Promise<Action[]> {
  return parseCommit((await table.store.get(commitKey(table, version)))!, commitKey(table, version));
}

describe('the Delta schema of our columns', () => {
  it('maps timestamp, int64, double, string, json and boolean, and adds the date partition column', () => {
    const schema = JSON.parse(deltaSchemaString(COLUMNS)) as { type: string; fields: unknown[] };

    expect(schema.type).toBe('struct');
    expect(schema.fields).toEqual(
      [
        ['window_start', 'timestamp'],
        ['events', 'long'],
        ['rate', 'double'],
        ['course_id', 'string'],
        ['_ids', 'string'],
        ['flag', 'boolean'],
        ['date', 'string'],
      ].map(([name, type]) => ({ name, type, nullable: true, metadata: {} })),
    );
  });

  it('refuses a column that Spark would confuse with the partition column', () => {
    const clash = (): string => deltaSchemaString([...COLUMNS, { name: 'Date', type: 'string' }]);

    expect(clash).toThrow(/Date clashes/);
    try {
      clash();
    } catch (error) {
      expect(isDeltaError(error, 'invalid_request')).toBe(true);
    }
  });

  it('describes a Parquet table partitioned by date', () => {
    const metaData = metaDataOf(COLUMNS, { id: 'id-1', createdTimeMs: 5 });

    expect(metaData).toEqual({
      id: 'id-1',
      format: { provider: 'parquet', options: {} },
      schemaString: deltaSchemaString(COLUMNS),
      partitionColumns: ['date'],
      configuration: {},
      createdTime: 5,
    });
  });
});

describe('table keys and paths', () => {
  const table: DeltaTable = { store: new FileObjectStore('/unused'), root: 'realtime_views/v' };

  it('names commits and checkpoints with 20-digit versions under _delta_log', () => {
    expect(commitKey(table, 7)).toBe('realtime_views/v/_delta_log/00000000000000000007.json');
    expect(checkpointKey(table, 10)).toBe(
      'realtime_views/v/_delta_log/00000000000000000010.checkpoint.parquet',
    );
    expect(logFileOfKey(table, checkpointKey(table, 10))).toMatchObject({ kind: 'checkpoint', version: 10 });
    expect(logFileOfKey(table, 'realtime_views/v/_delta_log/_last_checkpoint')).toBeUndefined();
  });

  it('writes data paths as URI paths relative to the table root and reads them back as keys', () => {
    const path = toDeltaPath('date=2025-01-01/a b%ü:1.parquet');

    expect(path).toBe('date=2025-01-01/a%20b%25%C3%BC%3A1.parquet');
    expect(dataKey(table, path)).toBe('realtime_views/v/date=2025-01-01/a b%ü:1.parquet');
  });

  it('takes the partition from a date=YYYY-MM-DD/<name> path and refuses any other shape', () => {
    expect(partitionDateOfPath('date=2025-03-02/x.parquet')).toBe('2025-03-02');
    for (const bad of ['x.parquet', 'date=2025-3-2/x.parquet', 'date=2025-03-02/sub/x.parquet'])
      expect(() => partitionDateOfPath(bad), bad).toThrow(/is not date=YYYY-MM-DD/);
  });
});

describe('commit files', () => {
  it('starts the table at version 0 with commitInfo, protocol 1/2, metaData, txn and the adds', async () => {
    const table = newTable();

    await appendFiles(table, {
      columns: COLUMNS,
      files: [{ ...file('date=2025-01-01/a.parquet'), stats: '{"numRecords":1}' }],
      txn: { appId: 'auth', version: 1 },
    });

    const actions = await commitLines(table, 0);
    expect(actions.map((action) => Object.keys(action)[0])).toEqual([
      'commitInfo',
      'protocol',
      'metaData',
      'txn',
      'add',
    ]);
    expect(actions[0]).toMatchObject({
      commitInfo: { operation: 'WRITE', isBlindAppend: true, engineInfo: 'lms-speed-layer' },
    });
    expect(actions[1]).toEqual({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
    expect(actions[3]).toMatchObject({ txn: { appId: 'auth', version: 1 } });
    expect(actions[4]).toEqual({
      add: {
        path: 'date=2025-01-01/a.parquet',
        partitionValues: { date: '2025-01-01' },
        size: 100,
        modificationTime: 1_000,
        dataChange: true,
        stats: '{"numRecords":1}',
      },
    });
  });

  it('writes a compaction as removes and one add, all without data change, in one version', async () => {
    const table = newTable();
    await appendFiles(table, { columns: COLUMNS, files: [file('date=2025-01-01/a.parquet', 10)] });
    await appendFiles(table, { columns: COLUMNS, files: [file('date=2025-01-01/b.parquet', 20)] });

    const result = await compactPartition(
      table,
      {
        replaced: ['date=2025-01-01/a.parquet', 'date=2025-01-01/b.parquet'],
        merged: file('date=2025-01-01/m.parquet', 25),
      },
      { nowMs: () => 9_000 },
    );

    expect(result).toMatchObject({ outcome: 'committed', version: 2 });
    const [commitInfo, ...rest] = await commitLines(table, 2);
    expect(commitInfo).toMatchObject({ commitInfo: { operation: 'OPTIMIZE', isBlindAppend: false } });
    expect(rest).toEqual([
      ...[
        ['date=2025-01-01/a.parquet', 10],
        ['date=2025-01-01/b.parquet', 20],
      ].map(([path, size]) => ({
        remove: {
          path,
          deletionTimestamp: 9_000,
          dataChange: false,
          extendedFileMetadata: true,
          partitionValues: { date: '2025-01-01' },
          size,
        },
      })),
      { add: { ...addOf(file('date=2025-01-01/m.parquet', 25), false) } },
    ]);
    expect(liveFiles(result.snapshot).map((add) => add.path)).toEqual(['date=2025-01-01/m.parquet']);
  });

  it('refuses a compaction across partitions or of nothing', async () => {
    const table = newTable();
    const merged = file('date=2025-01-01/m.parquet');

    await expect(
      compactPartition(table, { replaced: ['date=2025-01-02/a.parquet'], merged }),
    ).rejects.toThrow(/another partition/);
    await expect(compactPartition(table, { replaced: [], merged })).rejects.toThrow(/replaces no file/);
  });

  it('reports a line that is not JSON as a corrupt log and skips action kinds it does not know', () => {
    const body = Buffer.from('{"add":{"path":"p"}}\n{"domainMetadata":{"domain":"d"}}\n\n');

    expect(parseCommit(body, 'k')).toEqual([{ add: { path: 'p' } }]);
    expect(() => parseCommit(Buffer.from('{"add":'), 'log/00.json')).toThrow(
      /log\/00.json line 1 is not JSON/,
    );
  });
});

describe('replay', () => {
  it('keeps a path live when its newest action is an add and remembers removed paths as tombstones', () => {
    const add = (path: string): Action => ({ add: addOf(file(path), true) });
    const remove = (path: string): Action => ({ remove: { path, deletionTimestamp: 1, dataChange: true } });
    const a = 'date=2025-01-01/a.parquet';
    const b = 'date=2025-01-02/b.parquet';

    const snapshot = replay(
      EMPTY_SNAPSHOT,
      [
        { version: 0, actions: [add(a), add(b)] },
        { version: 1, actions: [remove(a), remove(b)] },
        { version: 2, actions: [add(a)] },
      ],
      't',
    );

    expect(snapshot.version).toBe(2);
    expect([...snapshot.files.keys()]).toEqual([a]);
    expect([...snapshot.tombstones.keys()]).toEqual([b]);
    expect(liveFiles(snapshot, '2025-01-02')).toEqual([]);
  });

  it('refuses a gap in the versions', () => {
    expect(() => replay(EMPTY_SNAPSHOT, [{ version: 1, actions: [] }], 'realtime_views/v')).toThrow(
      /realtime_views\/v has version 1 after -1/,
    );
  });
});
