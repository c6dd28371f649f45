/**
 * Every view directory of the views tree is also a Delta Lake table (docs/delta.md): each completion
 * appends its files to the tables of their views in one version per view, with the txn (appId of the
 * job, version = completion number), so publishing a completion again adds nothing. Completion M's
 * append happens before M+1 is written (by its writer, or by whoever reads M before writing M+1), so the
 * txn versions of a table only grow.
 */
import { viewSpec } from '../../events/view-catalog.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { ParquetColumn, ParquetRow } from '../../storage/parquet-columns.ts';
import { appendFiles } from '../../storage/delta/append-files.ts';
import { describeFile, type DataFile } from '../../storage/delta/data-file.ts';
import type { DeltaSnapshot } from '../../storage/delta/snapshot.ts';
import type { DeltaTable } from '../../storage/delta/table-keys.ts';
import { viewOfKey } from './partial-files.ts';

/** A complete-row file just published: its final key, and when known its bytes and rows (for stats). */
export interface PublishedViewFile {
  final: string;
  body?: Uint8Array;
  rows?: readonly ParquetRow[];
}

export class ViewTables {
  /** The newest snapshot of each table this writer committed to (saves reading the log again). */
  private readonly snapshots = new Map<string, DeltaSnapshot>();

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
    private readonly job: string,
  ) {}

  /** Appends completion `completion`'s files to their views' tables (skipped where already there). */
  async append(completion: number, files: readonly PublishedViewFile[], nowMs: number): Promise<void> {
    const byView = new Map<string, PublishedViewFile[]>();
    for (const file of files) {
      const view = viewOfKey(this.layout.viewsPrefix, file.final);
      if (view === undefined) continue;
      byView.set(view, [...(byView.get(view) ?? []), file]);
    }
    for (const [view, viewFiles] of byView) {
      const table: DeltaTable = { store: this.store, root: `${this.layout.viewsPrefix}${view}` };
      const columns: ParquetColumn[] = viewSpec(view).columns.map(({ name, type }) => ({ name, type }));
      const dataFiles: DataFile[] = [];
      for (const file of viewFiles) dataFiles.push(await this.dataFile(table, file, columns, nowMs));
      const from = this.snapshots.get(view);
      const result = await appendFiles(table, {
        columns,
        files: dataFiles,
        txn: { appId: `speed-layer-${this.job}`, version: completion },
        tableName: view,
        ...(from === undefined ? {} : { from }),
      });
      this.snapshots.set(view, result.snapshot);
    }
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
    // Published by another writer: its size from the store; without stats readers just cannot skip it.
    const body = await this.store.get(file.final);
    if (body === undefined) throw new Error(`view table ${table.root}: ${file.final} is not in the store`);
    return { path, sizeBytes: body.byteLength, modificationTimeMs: nowMs };
  }
}
