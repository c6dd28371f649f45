/**
 * ViewTables.cleanUp: log cleanup and VACUUM run on the tables this writer checkpointed since the last
 * call, and only on those.
 */
import { describe, expect, it } from 'vitest';
import { ViewTables } from '../../src/processor/io/view-tables.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT, padCommit } from '../../src/storage/layout.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { logPrefix, type DeltaTable } from '../../src/storage/delta/table-keys.ts';
import { DAY_MS } from './delta-cleanup-fixture.ts';
import { tempDir } from './temp-dir.ts';

const VIEW = 'course_realtime_download_activity';
const ROOT = `${DEFAULT_LAYOUT.viewsPrefix}${VIEW}`;
const fileKey = (name: string): string => `${ROOT}/date=2025-01-01/${name}.parquet`;
const completionFile = (completion: number): string => fileKey(`course-${padCommit(completion)}`);

/** A store whose next delete of log files fails once. */
class FlakyLogDeleteStore extends FileObjectStore {
  failNext = false;
  override deleteMany(keys: readonly string[]): Promise<void> {
    if (this.failNext && keys.some((key) => key.includes('/_delta_log/'))) {
      this.failNext = false;
      return Promise.reject(new Error('network down'));
    }
    return super.deleteMany(keys);
  }
}

function setUp(): { store: FlakyLogDeleteStore; tables: ViewTables; table: DeltaTable } {
  const store = new FlakyLogDeleteStore(tempDir('delta-view-tables-'));
  const tables = new ViewTables(store, DEFAULT_LAYOUT, 'course', {
    logRetentionMs: DAY_MS,
    deletedFileRetentionMs: DAY_MS,
  });
  return { store, tables, table: { store, root: ROOT } };
}

/** Completions from..to, each one file (published by "another writer": no bytes at hand). */
async function appendCompletions(store: FileObjectStore, tables: ViewTables, from: number, to: number) {
  for (let completion = from; completion <= to; completion += 1) {
    await store.put(completionFile(completion), Buffer.from(`rows of ${completion}`));
    await tables.append(completion, [{ final: completionFile(completion) }], Date.now());
  }
}

const twoDaysLater = (): number => Date.now() + 2 * DAY_MS;

describe('ViewTables.cleanUp', () => {
  it('does nothing until this writer wrote a checkpoint, then cleans that table once', async () => {
    const { store, tables, table } = setUp();
    await appendCompletions(store, tables, 1, 10); // versions 0-9

    expect(await tables.cleanUp(twoDaysLater())).toEqual([]);

    await appendCompletions(store, tables, 11, 11); // version 10: checkpoint
    const [cleanup, ...others] = await tables.cleanUp(twoDaysLater());

    expect(others).toEqual([]);
    expect(cleanup).toMatchObject({ view: VIEW, log: { outcome: 'cleaned', cutOffCheckpoint: 10 } });
    expect(cleanup!.log.outcome === 'cleaned' && cleanup!.log.deleted).toHaveLength(10);
    expect(await tables.cleanUp(twoDaysLater())).toEqual([]);
    expect((await readSnapshot(table)).files.size).toBe(11);
  });

  it('vacuums a replaced file that a crash left behind after the compaction committed', async () => {
    const { store, tables } = setUp();
    await appendCompletions(store, tables, 1, 3); // versions 0-2
    const plan = {
      view: VIEW,
      date: '2025-01-01',
      replaced: [1, 2].map(completionFile),
      merged: fileKey('m'),
    };
    await store.put(plan.merged, Buffer.from('merged rows'));
    await tables.compact(plan, {}, Date.now()); // version 3; deletes the replaced files
    await store.put(completionFile(1), Buffer.from('rows of 1')); // as if that delete never happened
    await appendCompletions(store, tables, 4, 10); // versions 4-10: checkpoint

    const [cleanup] = await tables.cleanUp(twoDaysLater());

    expect(cleanup!.vacuum).toMatchObject({ deleted: [completionFile(1)], untracked: [] });
    expect(await store.exists(completionFile(1))).toBe(false);
    expect(await store.exists(plan.merged)).toBe(true);
  });

  it('keeps a table that failed due for the next call', async () => {
    const { store, tables, table } = setUp();
    await appendCompletions(store, tables, 1, 11);
    store.failNext = true;

    await expect(tables.cleanUp(twoDaysLater())).rejects.toThrow('network down');
    const [retried] = await tables.cleanUp(twoDaysLater());

    expect(retried).toMatchObject({ view: VIEW, log: { outcome: 'cleaned', cutOffCheckpoint: 10 } });
    expect((await store.list(logPrefix(table))).length).toBe(3); // checkpoint, 10.json, _last_checkpoint
  });

  it('refuses a bad retention at construction', () => {
    const store = new FileObjectStore(tempDir('delta-view-tables-'));
    expect(() => new ViewTables(store, DEFAULT_LAYOUT, 'course', { logRetentionMs: -1 })).toThrow(
      'ViewTables: logRetentionMs must be an integer number of ms >= 0, got -1',
    );
  });
});
