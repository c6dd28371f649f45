/**
 * Where the batch layer reads and writes under the store root: the raw archive and the views'
 * completeness it reads (docs/storage.md), and its own tree `batch_views/<view>/date=D/` (a Delta table
 * per view) with `batch_views/_manifest.json`, and the reconciliation reports
 * `reconciliation/date=D.json` (docs/batch.md).
 */
import type { StorageLayout } from '../storage/layout.ts';
import type { DeltaTable } from '../storage/delta/table-keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';

export interface BatchLayout extends Pick<StorageLayout, 'rawPrefix' | 'viewsPrefix'> {
  /** The batch views tree; default `batch_views/`. */
  batchPrefix: string;
  /** The reports of speed against batch; default `reconciliation/`. */
  reconciliationPrefix: string;
}

export const DEFAULT_BATCH_LAYOUT: BatchLayout = {
  rawPrefix: 'raw/',
  viewsPrefix: 'realtime_views/',
  batchPrefix: 'batch_views/',
  reconciliationPrefix: 'reconciliation/',
};

/** The layout the settings name (any object with the four prefixes: the run settings have them). */
export function batchLayoutOf(prefixes: BatchLayout): BatchLayout {
  const { rawPrefix, viewsPrefix, batchPrefix, reconciliationPrefix } = prefixes;
  return { rawPrefix, viewsPrefix, batchPrefix, reconciliationPrefix };
}

export function batchTable(store: ObjectStore, layout: BatchLayout, view: string): DeltaTable {
  return { store, root: `${layout.batchPrefix}${view}` };
}

export function rawTable(store: ObjectStore, layout: BatchLayout, topic: string): DeltaTable {
  return { store, root: `${layout.rawPrefix}${topic}` };
}

export function manifestKey(layout: BatchLayout): string {
  return `${layout.batchPrefix}_manifest.json`;
}

/** The speed layer's `realtime_views/<view>/_completeness.json`. */
export function completenessKey(layout: BatchLayout, view: string): string {
  return `${layout.viewsPrefix}${view}/_completeness.json`;
}

/** The speed layer's view `realtime_views/<view>/` (complete rows, a Delta table). */
export function speedTable(store: ObjectStore, layout: BatchLayout, view: string): DeltaTable {
  return { store, root: `${layout.viewsPrefix}${view}` };
}

/** The reconciliation report of day D. */
export function reconciliationKey(layout: BatchLayout, day: string): string {
  return `${layout.reconciliationPrefix}date=${day}.json`;
}
