import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveColumns } from '../../src/events/archive-columns.ts';
import { VIEW_NAMES, VIEW_SPECS } from '../../src/events/view-catalog.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { isBatchError } from '../../src/batch/batch-error.ts';
import { DEFAULT_BATCH_LAYOUT, batchTable } from '../../src/batch/batch-layout.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { liveFiles } from '../../src/storage/delta/snapshot.ts';
import { commitKey, dataKey } from '../../src/storage/delta/table-keys.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { archiveByJobs, batchRows, writeCompleteness } from './batch-fixture.ts';
import { tempDir } from './temp-dir.ts';

const D1 = '2025-01-06';
const D2 = '2025-01-07';
const VIEW = 'course_realtime_download_activity';
/** The views of the job that reads lms.auth. */
const AUTH_VIEWS = VIEW_SPECS.filter((spec) => spec.job === 'auth').map((spec) => spec.name);

/** One archive for the file: 20 simulated minutes across midnight, made by the jobs once. */
let archiveDir: string;
beforeAll(async () => {
  archiveDir = mkdtempSync(join(tmpdir(), 'batch-runs-archive-'));
  const records = generateRecords({
    seed: 5,
    events: 2500,
    users: 50,
    startTimeMs: Date.UTC(2025, 0, 6, 23, 50),
    disorderMs: 10_000,
    faults: { late: 0.02, duplicate: 0.01, invalid: 0, future: 0 },
  });
  await archiveByJobs(new FileObjectStore(archiveDir), [...records]);
});
afterAll(() => rmSync(archiveDir, { recursive: true, force: true }));

/** A store of its own holding a copy of the archive. */
function archiveCopy(): FileObjectStore {
  const dir = tempDir('batch-runs-');
  cpSync(archiveDir, dir, { recursive: true });
  return new FileObjectStore(dir);
}

/** The store as S3 looks to the batch layer: not a FileObjectStore, so the archive is copied. */
function remote(store: ObjectStore): ObjectStore {
  return {
    url: 'remote://test/',
    put: (key, body) => store.put(key, body),
    putIfAbsent: (key, body) => store.putIfAbsent(key, body),
    get: (key) => store.get(key),
    exists: (key) => store.exists(key),
    copy: (from, to) => store.copy(from, to),
    list: (prefix) => store.list(prefix),
    deleteMany: (keys) => store.deleteMany(keys),
  };
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('speed-layer batch runs', () => {
  it('replaces a day in one Delta version when it runs again, and deletes the old file', async () => {
    const store = archiveCopy();
    const table = batchTable(store, DEFAULT_BATCH_LAYOUT, VIEW);
    await runBatch({ store, selection: { kind: 'days', days: [D2] }, views: [VIEW] });
    const first = await readSnapshot(table);
    const rows = await batchRows(store, VIEW, D2);
    expect(rows.length).toBeGreaterThan(0);

    await runBatch({ store, selection: { kind: 'days', days: [D2] }, views: [VIEW] });

    const second = await readSnapshot(table);
    expect(second.version).toBe(first.version + 1);
    const commit = (await store.get(commitKey(table, second.version)))!.toString('utf8');
    const actions = commit
      .trim()
      .split('\n')
      .map((line) => Object.keys(JSON.parse(line) as object)[0]);
    expect(actions).toEqual(['commitInfo', 'remove', 'add']);
    const [oldFile] = liveFiles(first, D2);
    expect(await store.exists(dataKey(table, oldFile!.path))).toBe(false);
    expect(liveFiles(second, D2)).toHaveLength(1);
    expect(await batchRows(store, VIEW, D2)).toEqual(rows);
  });

  it('leaves nothing of a run killed between its file and its commit once the day runs again', async () => {
    const store = archiveCopy();
    const table = batchTable(store, DEFAULT_BATCH_LAYOUT, VIEW);
    await runBatch({ store, selection: { kind: 'days', days: [D2] }, views: [VIEW] });
    const rows = await batchRows(store, VIEW, D2);
    // A run SIGKILLed after writing its file, before its Delta commit: a file no table names.
    const [live] = liveFiles(await readSnapshot(table), D2);
    const orphan = `${table.root}/date=${D2}/batch-killed.parquet`;
    await store.put(orphan, (await store.get(dataKey(table, live!.path)))!);

    await runBatch({ store, selection: { kind: 'days', days: [D2] }, views: [VIEW] });

    const [kept, ...others] = await store.list(`${table.root}/date=${D2}/`);
    expect(others).toEqual([]); // a plain reader of the folder counts each row once again
    expect(kept).toBe(dataKey(table, liveFiles(await readSnapshot(table), D2)[0]!.path));
    expect(await batchRows(store, VIEW, D2)).toEqual(rows);
  });

  it('refuses an unknown view, a day without archive and a day not closed, writing nothing', async () => {
    const store = archiveCopy();
    const run = (days: string[], views?: string[]) =>
      failure(runBatch({ store, selection: { kind: 'days', days }, ...(views && { views }) }));

    const unknown = await run([D2], [VIEW, 'no_such_view']);
    expect(isBatchError(unknown, 'unknown_view')).toBe(true);
    expect((unknown as Error).message).toMatch(/^unknown view no_such_view; choose from/);

    const empty = await run([D2, '2025-02-01']);
    expect(isBatchError(empty, 'no_archive')).toBe(true);
    expect((empty as Error).message).toMatch(/^day 2025-02-01 has no archived events on lms\.auth/);

    await writeCompleteness(store, ['auth_realtime_login_rate'], '2025-01-08T00:59:59.999Z');
    const open = await run([D1, D2]);
    expect(isBatchError(open, 'day_not_closed')).toBe(true);
    expect((open as Error).message).toBe(
      'day 2025-01-07 is not closed: auth_realtime_login_rate is complete through 2025-01-08T00:59:59.999Z; ' +
        'the day needs 2025-01-08T01:00:00.000Z (its end + 60 min)',
    );

    expect(await store.list(DEFAULT_BATCH_LAYOUT.batchPrefix)).toEqual([]);
  });

  it('with --closed computes the new days, then nothing, then the days whose archive dates changed', async () => {
    const store = archiveCopy();

    const first = await runBatch({ store, selection: { kind: 'closed' } });
    expect(first.map((day) => day.day)).toEqual(['2025-01-05', D1, D2]);
    expect(await runBatch({ store, selection: { kind: 'closed' } })).toEqual([]);

    // New records of lms.auth gathered into date D2 (here: a file again under a new name).
    const raw = { store, root: 'raw/lms.auth' };
    const snapshot = await readSnapshot(raw);
    const [file] = liveFiles(snapshot, D2);
    await store.copy(dataKey(raw, file!.path), `raw/lms.auth/date=${D2}/again.parquet`);
    await appendFiles(raw, {
      columns: archiveColumns('lms.auth'),
      files: [{ path: `date=${D2}/again.parquet`, sizeBytes: file!.size, modificationTimeMs: 0 }],
    });

    const again = await runBatch({ store, selection: { kind: 'closed' } });
    expect(again.map((day) => day.day)).toEqual([D1, D2]);
    for (const day of again) expect(day.views.map((view) => view.view)).toEqual(AUTH_VIEWS);
  });

  it('reads an archive that is not on a file:// root through copies, deleted afterwards, with the same rows', async () => {
    const local = archiveCopy();
    const copied = archiveCopy();
    const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith('speed-layer-batch-'));
    const before = leftovers();

    await runBatch({ store: local, selection: { kind: 'days', days: [D1, D2] } });
    await runBatch({ store: remote(copied), selection: { kind: 'days', days: [D1, D2] } });

    expect(leftovers()).toEqual(before);
    for (const view of VIEW_NAMES)
      for (const day of [D1, D2])
        expect(await batchRows(copied, view, day)).toEqual(await batchRows(local, view, day));
  });
});
