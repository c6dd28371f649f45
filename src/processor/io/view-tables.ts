/**
 * Every view directory of the views tree is also a Delta Lake table (docs/delta.md): each completion
 * appends its files to the tables of their views in one version per view, with the txn (appId of the
 * job, version = completion number), so publishing a completion again adds nothing. Completion M's
 * append happens before M+1 is written (by its writer, or by whoever reads M before writing M+1), so the
 * txn versions of a table only grow. `cleanUp` runs Delta's log cleanup and VACUUM on the tables this
 * writer checkpointed since the last call. The raw archive's topics are tables the same way (`tables`).
 */
import { viewSpec } from '../../events/view-catalog.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { ParquetColumn, ParquetRow } from '../../storage/parquet-columns.ts';
import { appendFiles } from '../../storage/delta/append-files.ts';
import { cleanUpLog, type LogCleanupResult } from '../../storage/delta/clean-up-log.ts';
import type { CommitResult } from '../../storage/delta/commit.ts';
import { compactPartition } from '../../storage/delta/compact-partition.ts';
import { describeFile, describeParquetFile, type DataFile } from '../../storage/delta/data-file.ts';
import { isDeltaError } from '../../storage/delta/delta-error.ts';
import { readSnapshot, updateSnapshot } from '../../storage/delta/read-snapshot.ts';
import { checkRetentionOption } from '../../storage/delta/retention.ts';
import { liveFiles, txnVersion, type DeltaSnapshot } from '../../storage/delta/snapshot.ts';
import { dataKey, toDeltaPath, type DeltaTable } from '../../storage/delta/table-keys.ts';
import { vacuum, type VacuumResult } from '../../storage/delta/vacuum.ts';
import type { CompactionPlan } from './completion-log.ts';
import { viewOfKey } from './partial-files.ts';
import { IO_CONCURRENCY, forEachLimit } from './publish.ts';

/** A complete-row file just published: its final key, and when known its bytes and rows (for stats). */
export interface PublishedViewFile {
  final: string;
  body?: Uint8Array;
  rows?: readonly ParquetRow[];
}

/** The files of one date of one table, with their sizes. */
export interface DateFiles {
  table: string;
  date: string;
  files: { key: string; bytes: number }[];
}

/** Tables under one prefix, one per first-level directory: a view, or a topic of the raw archive. */
export interface TableSet {
  prefix: string;
  columnsOf(name: string): readonly ParquetColumn[];
}

/** The views tree: a table per view, with the catalog's columns. */
export function viewTableSet(layout: StorageLayout): TableSet {
  return {
    prefix: layout.viewsPrefix,
    columnsOf: (view) => viewSpec(view).columns.map(({ name, type }) => ({ name, type })),
  };
}

/** Retentions of `cleanUp`; a table property (`delta.logRetentionDuration`, …) wins over them. */
export interface ViewTablesOptions {
  /** Which tables; default the views tree's. */
  tables?: TableSet;
  /** How long the log keeps old versions for time travel; default 30 days. */
  logRetentionMs?: number;
  /** How long a removed data file stays for time travel; default 7 days. */
  deletedFileRetentionMs?: number;
}

/** What `cleanUp` did to one view's table. */
export interface ViewTableCleanup {
  view: string;
  log: LogCleanupResult;
  vacuum: VacuumResult;
}

export class ViewTables {
  /**
   * The newest snapshot of each table this writer committed to (saves reading the log again). Replayed
   * commit by commit, it also keeps the tombstones newer checkpoints dropped, for VACUUM.
   */
  private readonly snapshots = new Map<string, DeltaSnapshot>();
  /** Views whose table this writer checkpointed since the last `cleanUp`. */
  private readonly checkpointed = new Set<string>();

  private readonly tables: TableSet;

  constructor(
    private readonly store: ObjectStore,
    layout: StorageLayout,
    private readonly job: string,
    private readonly options: ViewTablesOptions = {},
  ) {
    this.tables = options.tables ?? viewTableSet(layout);
    checkRetentionOption('ViewTables', 'logRetentionMs', options.logRetentionMs);
    checkRetentionOption('ViewTables', 'deletedFileRetentionMs', options.deletedFileRetentionMs);
  }

  private table(view: string): DeltaTable {
    return { store: this.store, root: `${this.tables.prefix}${view}` };
  }

  private committed(view: string, result: CommitResult): void {
    this.snapshots.set(view, result.snapshot);
    if (result.outcome === 'committed' && result.checkpoint !== undefined) this.checkpointed.add(view);
  }

  /** The table's newest snapshot (the cached one brought up to date). */
  private async fresh(view: string): Promise<DeltaSnapshot> {
    const cached = this.snapshots.get(view);
    const snapshot =
      cached === undefined
        ? await readSnapshot(this.table(view))
        : await updateSnapshot(this.table(view), cached);
    this.snapshots.set(view, snapshot);
    return snapshot;
  }

  /**
   * Dates of the tables that hold several live files below `smallFileBytes` and take no new rows any
   * more (their day ended at least `graceMs` before `completeThroughMs`): what compaction merges.
   */
  async compactionCandidates(
    names: readonly string[],
    completeThroughMs: number,
    graceMs: number,
    smallFileBytes = Infinity,
  ): Promise<DateFiles[]> {
    const candidates: DateFiles[] = [];
    for (const view of names) {
      const snapshot = await this.fresh(view);
      const table = this.table(view);
      const byDate = new Map<string, { key: string; bytes: number }[]>();
      for (const add of liveFiles(snapshot)) {
        if (add.size >= smallFileBytes) continue;
        const date = add.partitionValues.date ?? '';
        const file = { key: dataKey(table, add.path), bytes: add.size };
        byDate.set(date, [...(byDate.get(date) ?? []), file]);
      }
      for (const [date, files] of byDate) {
        const dayEndMs = Date.parse(`${date}T00:00:00.000Z`) + 86_400_000;
        if (files.length >= 2 && dayEndMs + graceMs <= completeThroughMs)
          candidates.push({ table: view, date, files });
      }
    }
    return candidates;
  }

  /**
   * Swaps a compaction's replaced files for its merged file in the view's table (one version: Delta
   * readers see it atomically), then deletes the replaced files from the views tree. Idempotent: a plan
   * already committed (by this writer or whoever finished it first) only deletes what is left.
   */
  async compact(
    plan: CompactionPlan,
    merged: { body?: Uint8Array; rows?: readonly ParquetRow[] },
    nowMs: number,
  ): Promise<void> {
    const table = this.table(plan.view);
    const snapshot = await this.fresh(plan.view);
    const relative = (key: string): string => key.slice(table.root.length + 1);
    const mergedPath = toDeltaPath(relative(plan.merged));
    if (!snapshot.files.has(mergedPath)) {
      const columns = this.tables.columnsOf(plan.view);
      const file = await this.dataFile(table, { final: plan.merged, ...merged }, columns, nowMs);
      try {
        const result = await compactPartition(table, {
          replaced: plan.replaced.map((key) => toDeltaPath(relative(key))),
          merged: file,
          from: snapshot,
        });
        this.committed(plan.view, result);
      } catch (error) {
        // Another writer finishing the same completion committed it first.
        if (!isDeltaError(error, 'conflict') || !(await this.fresh(plan.view)).files.has(mergedPath))
          throw error;
      }
    }
    await this.store.deleteMany(plan.replaced);
  }

  /** Appends completion `completion`'s files to their views' tables (skipped where already there). */
  async append(completion: number, files: readonly PublishedViewFile[], nowMs: number): Promise<void> {
    const byView = new Map<string, PublishedViewFile[]>();
    for (const file of files) {
      const view = viewOfKey(this.tables.prefix, file.final);
      if (view === undefined) continue;
      byView.set(view, [...(byView.get(view) ?? []), file]);
    }
    // Tables are independent: their appends go at once.
    await forEachLimit([...byView], IO_CONCURRENCY, async ([view, viewFiles]) => {
      const table = this.table(view);
      const appId = `speed-layer-${this.job}`;
      // Another writer's files (no bytes at hand): first see whether the table has them already.
      const redo = viewFiles.some((file) => file.body === undefined);
      if (redo && (txnVersion(await this.fresh(view), appId) ?? -Infinity) >= completion) return;
      const columns = this.tables.columnsOf(view);
      const dataFiles: DataFile[] = [];
      for (const file of viewFiles) dataFiles.push(await this.dataFile(table, file, columns, nowMs));
      const from = this.snapshots.get(view);
      const result = await appendFiles(table, {
        columns,
        files: dataFiles,
        txn: { appId, version: completion },
        tableName: view,
        ...(from === undefined ? {} : { from }),
      });
      this.committed(view, result);
    });
  }

  /**
   * Log cleanup and VACUUM (docs/delta.md "Cleanup") of each table this writer wrote a checkpoint to
   * since the last call; other tables cost nothing. Call it after `append`/`compact`, e.g. once per
   * completion. A table that fails stays due for the next call; the first error is thrown after the
   * other tables are done.
   */
  async cleanUp(nowMs: number): Promise<ViewTableCleanup[]> {
    const due = [...this.checkpointed];
    this.checkpointed.clear();
    const done: ViewTableCleanup[] = [];
    const failures: unknown[] = [];
    await forEachLimit(due, IO_CONCURRENCY, async (view) => {
      try {
        const table = this.table(view);
        const common = { nowMs: () => nowMs, snapshot: await this.fresh(view) };
        const { deletedFileRetentionMs, logRetentionMs } = this.options;
        const vacuumed = await vacuum(table, { ...common, deletedFileRetentionMs });
        const log = await cleanUpLog(table, { ...common, logRetentionMs });
        done.push({ view, log, vacuum: vacuumed });
      } catch (error) {
        this.checkpointed.add(view);
        failures.push(error);
      }
    });
    if (failures.length > 0) throw failures[0];
    return done.sort((a, b) => (a.view < b.view ? -1 : 1));
  }

  private async dataFile(
    table: DeltaTable,
    file: PublishedViewFile,
    columns: readonly ParquetColumn[],
    nowMs: number,
  ): Promise<DataFile> {
    const path = file.final.slice(table.root.length + 1);
    if (file.body !== undefined && file.rows !== undefined)
      return describeFile({ path, body: file.body, columns, rows: file.rows, modificationTimeMs: nowMs });
    // Bytes without rows (the raw archive's files, merged archive files): stats from the Parquet footer.
    if (file.body !== undefined)
      return describeParquetFile({ path, body: file.body, modificationTimeMs: nowMs });
    // Published by another writer: the file from the store, its stats from its footer.
    const body = await this.store.get(file.final);
    if (body === undefined) throw new Error(`view table ${table.root}: ${file.final} is not in the store`);
    return describeParquetFile({ path, body, modificationTimeMs: nowMs });
  }
}
