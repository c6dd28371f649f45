/**
 * Delta tables written by the speed layer (Parquet writer + src/storage/delta) read by a real reader:
 * Spark 3.5 with Delta 3.3 in local mode, one JVM for every read of this file (test/spark/). Two view
 * tables in a temp directory: one with 12 commits over three date partitions (so Spark starts from our
 * checkpoint at version 10), a republished commit, and a compacted partition; one small table of
 * another view; a table with a day of history (test clock) after log cleanup and VACUUM with
 * retentions of a few hours; and a raw archive table written as the processor writes it (stats from the
 * Parquet footers). The first run resolves Spark from Maven Central into
 * ~/.cache/lms-speed-layer (minutes).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewSpec } from '../../src/events/view-catalog.ts';
import { archiveLine } from '../../src/processor/io/archive-line.ts';
import { convertArchive } from '../../src/processor/io/archive-conversion.ts';
import { rawTableSet } from '../../src/processor/io/archive-files.ts';
import { ViewTables } from '../../src/processor/io/view-tables.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT, finalKey } from '../../src/storage/layout.ts';
import type { ParquetColumn, ParquetRow } from '../../src/storage/parquet-columns.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';
import { writeParquet } from '../../src/storage/parquet-writer.ts';
import type { CommitResult } from '../../src/storage/delta/commit.ts';
import { compactPartition } from '../../src/storage/delta/compact-partition.ts';
import { cleanUpLog, type LogCleanupResult } from '../../src/storage/delta/clean-up-log.ts';
import { describeFile } from '../../src/storage/delta/data-file.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { liveFiles, type DeltaSnapshot } from '../../src/storage/delta/snapshot.ts';
import { commitKey, dataKey, logPrefix, type DeltaTable } from '../../src/storage/delta/table-keys.ts';
import { vacuum, type VacuumResult } from '../../src/storage/delta/vacuum.ts';
import type { DeltaWriteOptions } from '../../src/storage/delta/write-options.ts';
import { publishViewCommit, sortedRows, sparkRow } from '../spark/delta-fixture.ts';
import { readDeltaTables, type TableDump, type TableRead } from '../spark/read-delta-tables.ts';

const DOWNLOADS = 'course_realtime_download_activity';
const SESSIONS = 'auth_realtime_session_activity';
/** The download view's catalog columns plus a json merge column, as partial rows carry. */
const DOWNLOAD_COLUMNS: ParquetColumn[] = [...viewSpec(DOWNLOADS).columns, { name: '_users', type: 'json' }];
const SESSION_COLUMNS: ParquetColumn[] = [...viewSpec(SESSIONS).columns];
const COURSES = [null, 'crs-ü😀', 'コース-42', 'ｃｏｕｒｓｅ', 'plain'];
const DOWNLOAD_COMMITS = 12;
const COMPACTED_DATE = '2025-03-02';

function downloadRows(commit: number): ParquetRow[] {
  return [0, 1, 2].map((k) => {
    const start = Date.UTC(2025, 2, 1 + ((commit + k) % 3), commit, k);
    return {
      window_start: start,
      window_end: start + 60_000,
      course_id: COURSES[(commit + k) % COURSES.length],
      downloads: commit * 10 + k,
      bytes: k === 0 ? 3_000_000_000 + commit : k === 1 ? 9_007_199_254_740_993n + BigInt(commit) : null,
      distinct_users: k === 2 ? null : k + 1,
      _users: k === 2 ? null : { [`u-${commit}`]: k, ü: [1, 2] },
    };
  });
}

function sessionRows(commit: number): ParquetRow[] {
  return [0, 1].map((k) => {
    const start = Date.UTC(2025, 2, 31, 23, 50 + commit * 2 + k * 5);
    return {
      session_start: start,
      session_end: k === 1 ? null : start + 125_500,
      user_id: `user-${commit}-${k === 0 ? 'Ωmega' : 'ß'}`,
      events: commit + k,
      logins: k,
      duration_seconds: k === 1 ? null : 125.5 + commit,
      ended_by_logout: k === 1 ? null : commit % 2 === 0,
    };
  });
}

const expectedRows = (columns: ParquetColumn[], rows: ParquetRow[]): Record<string, unknown>[] =>
  sortedRows(rows.map((row) => sparkRow(columns, row)));

/** The rows of commits 1..last. */
const downloadRowsThrough = (last: number): ParquetRow[] =>
  Array.from({ length: last }, (_, index) => downloadRows(index + 1)).flat();

const allDownloadRows = (): ParquetRow[] => downloadRowsThrough(DOWNLOAD_COMMITS);

let root = '';
let downloads: DeltaTable;
let afterAppends: DeltaSnapshot;
let republished: CommitResult;
let compaction: CommitResult;
let afterCompaction: DeltaSnapshot;
let dumps: TableDump[] = [];
let cleaned: DeltaTable;
let cleanedBefore: { at20: DeltaSnapshot; at22: DeltaSnapshot; latest: DeltaSnapshot };
let logCleanup: LogCleanupResult;
let vacuumed: VacuumResult;

/** The reads, in order; one Spark JVM answers all of them. */
const READS = {
  downloads: 0,
  downloadsBeforeCompaction: 1,
  sessions: 2,
  checkpointOnly: 3,
  downloadsOfOneCourse: 4,
  downloadsAbove2Pow32: 5,
  cleaned: 6,
  cleanedAt20: 7,
  cleanedAt22: 8,
  raw: 9,
  rawFromNoon: 10,
} as const;

const RAW_TOPIC = 'lms.profile';
/** The event times of each completion of the raw table: one file each, all of 2025-01-07. */
const RAW_COMPLETIONS = [
  ['01:00', '02:30'],
  ['06:00', '07:15'],
  ['13:00', '20:45'],
].map((times) => times.map((hhmm) => `2025-01-07T${hhmm}:00.000Z`));

/**
 * The raw archive's table of one topic as the processor writes it: each completion's pending lines
 * converted to a Parquet file and appended by ViewTables, whose adds take their stats from the footer.
 */
async function rawTable(store: FileObjectStore): Promise<void> {
  const tables = new ViewTables(store, DEFAULT_LAYOUT, 'profile_notification', {
    tables: rawTableSet(DEFAULT_LAYOUT),
  });
  for (const [index, times] of RAW_COMPLETIONS.entries()) {
    const lines = times.map((eventTime, offset) => {
      const value = JSON.stringify({
        event_id: eventTime,
        event_type: 'profile_updated',
        event_time: eventTime,
        user_id: 'u1',
        fields: ['bio'],
      });
      return Buffer.from(archiveLine({ partition: 0, offset, timestamp: 0, value }, 'accepted'));
    });
    const files = convertArchive(`${DEFAULT_LAYOUT.rawPrefix}${RAW_TOPIC}`, RAW_TOPIC, lines);
    const published = files.map((file) => ({ final: finalKey(file, 'profile', index + 1), body: file.body }));
    for (const { final, body } of published) await store.put(final, body);
    await tables.append(index + 1, published, Date.now());
  }
}

async function compact(
  table: DeltaTable,
  date: string,
  from: DeltaSnapshot,
  options: DeltaWriteOptions = {},
): Promise<CommitResult> {
  const replaced = liveFiles(from, date);
  const rows: ParquetRow[] = [];
  for (const add of replaced)
    rows.push(...(await readParquet((await table.store.get(dataKey(table, add.path)))!)).rows);
  const path = `date=${date}/compacted-${String(from.version + 1).padStart(12, '0')}.parquet`;
  const body = writeParquet(DOWNLOAD_COLUMNS, rows);
  await table.store.put(`${table.root}/${path}`, body);
  const merged = describeFile({
    path,
    body,
    columns: DOWNLOAD_COLUMNS,
    rows,
    modificationTimeMs: Date.now(),
  });
  return compactPartition(table, { replaced: replaced.map((add) => add.path), merged, from }, options);
}

const HOUR_MS = 3_600_000;
/** Version v of the cleaned table is committed at T0 + v hours. */
const T0_MS = Date.UTC(2025, 3, 1);
const CLEANED_COMMITS = 24;
/** Cleanup 26 h after T0 with retentions of 5.5 h: cut-off time T0 + 20.5 h. */
const CLEANUP = { nowMs: () => T0_MS + 26 * HOUR_MS, retentionMs: 5.5 * HOUR_MS };

/**
 * A day of history on a test clock, then log cleanup and VACUUM: commits 1-15 (versions 0-14), a
 * compaction of 2025-03-01 (15), commits 16-20 (16-20, checkpoint at 20), a compaction of 2025-03-02
 * (21), commits 21-24 (22-25); and a file no commit names (a writer crashed before its commit).
 */
async function cleanedTable(table: DeltaTable): Promise<void> {
  let clockMs = T0_MS;
  const options: DeltaWriteOptions = { nowMs: () => clockMs };
  let from: DeltaSnapshot | undefined;
  const step = async (write: () => Promise<CommitResult>): Promise<void> => {
    clockMs = T0_MS + ((from?.version ?? -1) + 1) * HOUR_MS;
    from = (await write()).snapshot;
  };
  const columns = DOWNLOAD_COLUMNS;
  const append = (commit: number) => () =>
    publishViewCommit(table, { job: 'course', commit, columns, rows: downloadRows(commit), from }, options);
  for (let commit = 1; commit <= 15; commit += 1) await step(append(commit));
  await step(() => compact(table, '2025-03-01', from!, options));
  for (let commit = 16; commit <= 20; commit += 1) await step(append(commit));
  await step(() => compact(table, '2025-03-02', from!, options));
  for (let commit = 21; commit <= CLEANED_COMMITS; commit += 1) await step(append(commit));
  const orphan = `${table.root}/date=2025-03-03/course-crashed.parquet`;
  await table.store.put(orphan, writeParquet(columns, downloadRows(99)));

  cleanedBefore = {
    at20: await readSnapshot(table, { version: 20 }),
    at22: await readSnapshot(table, { version: 22 }),
    latest: await readSnapshot(table),
  };
  const { nowMs, retentionMs } = CLEANUP;
  vacuumed = await vacuum(table, { nowMs, deletedFileRetentionMs: retentionMs });
  logCleanup = await cleanUpLog(table, { nowMs, logRetentionMs: retentionMs });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'delta-spark-'));
  const store = new FileObjectStore(root);
  downloads = { store, root: `realtime_views/${DOWNLOADS}` };
  let from: DeltaSnapshot | undefined;
  for (let commit = 1; commit <= DOWNLOAD_COMMITS; commit += 1) {
    const rows = downloadRows(commit);
    from = (
      await publishViewCommit(downloads, { job: 'course', commit, columns: DOWNLOAD_COLUMNS, rows, from })
    ).snapshot;
  }
  afterAppends = from!;
  // A writer that crashed after committing 7 publishes it again.
  republished = await publishViewCommit(downloads, {
    job: 'course',
    commit: 7,
    columns: DOWNLOAD_COLUMNS,
    rows: downloadRows(7),
  });
  compaction = await compact(downloads, COMPACTED_DATE, afterAppends);
  afterCompaction = compaction.snapshot;

  const sessions: DeltaTable = { store, root: `realtime_views/${SESSIONS}` };
  for (let commit = 1; commit <= 3; commit += 1)
    await publishViewCommit(sessions, {
      job: 'auth',
      commit,
      columns: SESSION_COLUMNS,
      rows: sessionRows(commit),
    });

  cleaned = { store, root: 'realtime_views/cleaned' };
  await cleanedTable(cleaned);

  await rawTable(store);
  const raw = join(root, DEFAULT_LAYOUT.rawPrefix, RAW_TOPIC);

  // The same table with the commits before the checkpoint gone: only a checkpoint reader can read it.
  const checkpointOnly: DeltaTable = { store, root: 'checkpoint_only' };
  await cp(join(root, downloads.root), join(root, checkpointOnly.root), { recursive: true });
  await store.deleteMany(Array.from({ length: 10 }, (_, version) => commitKey(checkpointOnly, version)));

  const reads: TableRead[] = [
    { path: join(root, downloads.root) },
    { path: join(root, downloads.root), version: afterAppends.version },
    { path: join(root, sessions.root) },
    { path: join(root, checkpointOnly.root) },
    { path: join(root, downloads.root), where: "course_id = 'crs-ü😀'" },
    { path: join(root, downloads.root), where: 'bytes > 4294967296' },
    { path: join(root, cleaned.root) },
    { path: join(root, cleaned.root), version: 20 },
    { path: join(root, cleaned.root), version: 22 },
    { path: raw },
    { path: raw, where: "event_time_ms >= TIMESTAMP '2025-01-07 12:00:00'" },
  ];
  const startedMs = Date.now();
  dumps = await readDeltaTables(reads);
  const sparkSeconds = (Date.now() - startedMs) / 1000;
  process.stderr.write(`[spark] ${reads.length} reads in one JVM: ${sparkSeconds.toFixed(1)}s\n`);
}, 15 * 60_000);

afterAll(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('Delta tables of the speed layer, read by Spark 3.5 + Delta 3.3', () => {
  it('gives Spark exactly the rows written, with timestamp, long, double, string and boolean columns', () => {
    expect(sortedRows(dumps[READS.downloads]!.rows)).toEqual(
      expectedRows(DOWNLOAD_COLUMNS, allDownloadRows()),
    );
    expect(dumps[READS.downloads]!.schema).toEqual({
      window_start: 'timestamp',
      window_end: 'timestamp',
      course_id: 'string',
      downloads: 'long',
      bytes: 'long',
      distinct_users: 'long',
      _users: 'string',
      date: 'string',
    });
    const sessions = [1, 2, 3].flatMap(sessionRows);
    expect(sortedRows(dumps[READS.sessions]!.rows)).toEqual(expectedRows(SESSION_COLUMNS, sessions));
    expect(dumps[READS.sessions]!.schema).toMatchObject({
      duration_seconds: 'double',
      ended_by_logout: 'boolean',
    });
  });

  it('lets Spark start from our Parquet checkpoint at version 10', () => {
    expect(afterAppends.version).toBe(11);
    expect(dumps[READS.downloads]!.scan.checkpointVersion).toBe(10);
    // Commits 0-9 are gone from this copy: its protocol, metaData and files come from the checkpoint.
    expect(dumps[READS.checkpointOnly]!.scan).toMatchObject({ version: 12, checkpointVersion: 10 });
    expect(sortedRows(dumps[READS.checkpointOnly]!.rows)).toEqual(
      expectedRows(DOWNLOAD_COLUMNS, allDownloadRows()),
    );
  });

  it('adds nothing when a commit is published again with the same txn', () => {
    expect(republished).toMatchObject({ outcome: 'skipped', reason: 'txn_already_committed', version: 11 });
    expect(dumps[READS.downloads]!.rows).toHaveLength(DOWNLOAD_COMMITS * 3);
  });

  it('shows a compacted partition as one file with the same rows, in one new version', async () => {
    expect(compaction).toMatchObject({ outcome: 'committed', version: 12 });
    expect(liveFiles(afterCompaction, COMPACTED_DATE)).toHaveLength(1);
    expect(liveFiles(afterAppends, COMPACTED_DATE).length).toBeGreaterThan(1);
    expect((await readSnapshot(downloads)).files).toEqual(afterCompaction.files);
    expect(dumps[READS.downloads]!.scan).toMatchObject({
      version: 12,
      files: afterCompaction.files.size,
    });
    expect(sortedRows(dumps[READS.downloads]!.rows)).toEqual(
      expectedRows(DOWNLOAD_COLUMNS, allDownloadRows()),
    );
  });

  it('time travels to the version before the compaction, with its files and the same rows', () => {
    const before = dumps[READS.downloadsBeforeCompaction]!;
    expect(before.scan).toMatchObject({ version: 11, files: afterAppends.files.size });
    expect(sortedRows(before.rows)).toEqual(expectedRows(DOWNLOAD_COLUMNS, allDownloadRows()));
  });

  it('keeps every matching row when Spark skips files by their stats', () => {
    const rows = allDownloadRows();
    const ofCourse = rows.filter((row) => row.course_id === 'crs-ü😀');
    const large = rows.filter(
      (row) => row.bytes !== null && BigInt(row.bytes as bigint | number) > 4_294_967_296n,
    );
    expect(sortedRows(dumps[READS.downloadsOfOneCourse]!.rows)).toEqual(
      expectedRows(DOWNLOAD_COLUMNS, ofCourse),
    );
    expect(sortedRows(dumps[READS.downloadsAbove2Pow32]!.rows)).toEqual(
      expectedRows(DOWNLOAD_COLUMNS, large),
    );
    // The stats did let Delta skip files: the filtered scans read fewer files than the table has.
    const allFiles = dumps[READS.downloads]!.scan.files;
    expect(dumps[READS.downloadsOfOneCourse]!.scan.files).toBeLessThan(allFiles);
    expect(dumps[READS.downloadsAbove2Pow32]!.scan.files).toBeLessThan(allFiles);
  });

  it('still reads the table, and time travels to the versions kept, after log cleanup and VACUUM', async () => {
    // the log keeps checkpoint 20 (the newest older than T0 + 20.5 h) and every commit from 20 on
    expect(logCleanup).toMatchObject({ outcome: 'cleaned', cutOffCheckpoint: 20 });
    const logNames = (await cleaned.store.list(logPrefix(cleaned))).map((key) =>
      key.slice(logPrefix(cleaned).length).replace(/^0+(?=\d)/, ''),
    );
    expect(logNames).toEqual([
      '20.checkpoint.parquet',
      ...[20, 21, 22, 23, 24, 25].map((version) => `${version}.json`),
      '_last_checkpoint',
    ]);
    // VACUUM deleted the 15 files the compaction at T0 + 15 h removed (every commit has one file per
    // date), kept the 20 removed at T0 + 21 h
    expect(vacuumed.deleted).toHaveLength(15);
    expect(vacuumed.deleted.every((key) => key.includes('/date=2025-03-01/'))).toBe(true);
    expect(vacuumed.retained).toHaveLength(20);
    expect(vacuumed.retained.every((key) => key.includes('/date=2025-03-02/'))).toBe(true);
    expect(vacuumed.untracked).toEqual([`${cleaned.root}/date=2025-03-03/course-crashed.parquet`]);

    const latest = dumps[READS.cleaned]!;
    expect(latest.scan).toMatchObject({
      version: 25,
      checkpointVersion: 20,
      files: cleanedBefore.latest.files.size,
    });
    expect(sortedRows(latest.rows)).toEqual(
      expectedRows(DOWNLOAD_COLUMNS, downloadRowsThrough(CLEANED_COMMITS)),
    );
    const at20 = dumps[READS.cleanedAt20]!;
    expect(at20.scan).toMatchObject({ version: 20, files: cleanedBefore.at20.files.size });
    expect(sortedRows(at20.rows)).toEqual(expectedRows(DOWNLOAD_COLUMNS, downloadRowsThrough(20)));
    const at22 = dumps[READS.cleanedAt22]!;
    expect(at22.scan).toMatchObject({ version: 22, files: cleanedBefore.at22.files.size });
    expect(sortedRows(at22.rows)).toEqual(expectedRows(DOWNLOAD_COLUMNS, downloadRowsThrough(21)));
    await expect(readSnapshot(cleaned, { version: 19 })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('skips raw archive files by the event-time bounds their adds take from the Parquet footers', () => {
    const all = dumps[READS.raw]!;
    const fromNoon = dumps[READS.rawFromNoon]!;
    const eventIds = (dump: TableDump): unknown[] => dump.rows.map((row) => row.event_id).sort();

    expect(all.scan.files).toBe(RAW_COMPLETIONS.length);
    expect(eventIds(all)).toEqual(RAW_COMPLETIONS.flat().sort());
    expect(fromNoon.scan.files).toBe(1);
    expect(eventIds(fromNoon)).toEqual(RAW_COMPLETIONS[2]);
  });
});
