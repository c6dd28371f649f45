/**
 * Tables for the log cleanup and VACUUM tests: a file-store table whose version v was committed at a
 * chosen time (one data file each, checkpoints every 10 versions), and short names of what its log holds.
 */
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { ParquetColumn } from '../../src/storage/parquet-columns.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import { commit } from '../../src/storage/delta/commit.ts';
import { addOf, type DataFile } from '../../src/storage/delta/data-file.ts';
import { metaDataOf } from '../../src/storage/delta/schema.ts';
import type { DeltaSnapshot } from '../../src/storage/delta/snapshot.ts';
import { logPrefix, type DeltaTable } from '../../src/storage/delta/table-keys.ts';
import type { DeltaWriteOptions } from '../../src/storage/delta/write-options.ts';
import { tempDir } from './temp-dir.ts';

export const COLUMNS: ParquetColumn[] = [
  { name: 'window_start', type: 'timestamp' },
  { name: 'events', type: 'int64' },
];
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const T0_MS = Date.UTC(2025, 0, 1);

/** Version v at T0 + v hours. */
export const hourly = (version: number): number => T0_MS + version * HOUR_MS;

export function newTable(): DeltaTable {
  return { store: new FileObjectStore(tempDir('delta-cleanup-')), root: 'realtime_views/v' };
}

export const dataFile = (name: string, date = '2025-01-01'): DataFile => ({
  path: `date=${date}/${name}.parquet`,
  sizeBytes: 10,
  modificationTimeMs: T0_MS,
});

/** A clock the test sets; `options` read it. */
export class TestClock {
  nowMs = T0_MS;
  readonly options: DeltaWriteOptions = { nowMs: () => this.nowMs };
}

export interface BuildOptions {
  /** Versions 0..last are committed (appends of `v-<version>`). */
  last: number;
  /** The commit time of each version; default `hourly`. */
  timeOf?: (version: number) => number;
  /** metaData.configuration of the table (its properties). */
  configuration?: Record<string, string>;
  clock?: TestClock;
}

/**
 * Commits versions 0..last, version v at `timeOf(v)`, and returns the writer's snapshot after each one
 * (replayed commit by commit, as a long-lived writer holds it).
 */
export async function buildTable(table: DeltaTable, options: BuildOptions): Promise<DeltaSnapshot[]> {
  const clock = options.clock ?? new TestClock();
  const timeOf = options.timeOf ?? hourly;
  clock.nowMs = timeOf(0);
  const first = await commit(
    table,
    {
      operation: 'WRITE',
      operationParameters: { mode: 'Append' },
      isBlindAppend: true,
      metaData: {
        ...metaDataOf(COLUMNS, { createdTimeMs: clock.nowMs }),
        configuration: options.configuration ?? {},
      },
      actions: () => [{ add: addOf(dataFile('v-0'), true) }],
    },
    clock.options,
  );
  const snapshots = [first.snapshot];
  for (let version = 1; version <= options.last; version += 1) {
    clock.nowMs = timeOf(version);
    const result = await appendFiles(
      table,
      { columns: COLUMNS, files: [dataFile(`v-${version}`)], from: snapshots.at(-1)! },
      clock.options,
    );
    snapshots.push(result.snapshot);
  }
  return snapshots;
}

/** The log's file names, versions without their leading zeros: `10.checkpoint.parquet`, `_last_checkpoint`. */
export async function logNames(table: DeltaTable): Promise<string[]> {
  return (await table.store.list(logPrefix(table))).map((key) =>
    key.slice(logPrefix(table).length).replace(/^0+(?=\d)/, ''),
  );
}

/** `from..to` as names of commit files (`3.json`, …). */
export const commitNames = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, index) => `${from + index}.json`);
