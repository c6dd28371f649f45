/**
 * Everything a store holds as one result, the form the oracle produces: every view's rows exactly as a
 * plain Parquet reader sees the views tree (`<view>/date=…/…parquet`, no merging: a row published twice
 * shows up twice), and the dead letters. For checks of a whole run (load scenarios, tests).
 */
import { VIEW_SPECS } from '../../events/view-catalog.ts';
import type { RejectedRecord, ViewRow } from '../../events/view-dump.ts';
import type { ViewResult } from '../../events/view-result.ts';
import { readCommittedDeadLetters } from '../io/dead-letter-reader.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readParquet } from '../../storage/parquet-reader.ts';

export async function publishedResult(source: {
  store: ObjectStore;
  layout: StorageLayout;
}): Promise<ViewResult & { files: Map<string, string[]> }> {
  const { store, layout } = source;
  const rowsByView = new Map<string, ViewRow[]>();
  const files = new Map<string, string[]>();
  for (const spec of VIEW_SPECS) {
    const dir = `${layout.viewsPrefix}${spec.name}/`;
    const keys = (await store.list(dir)).filter((key) =>
      /^date=[^/]+\/[^/]+\.parquet$/.test(key.slice(dir.length)),
    );
    files.set(spec.name, keys);
    const rows: ViewRow[] = [];
    for (const key of keys) rows.push(...((await readParquet((await store.get(key))!)).rows as ViewRow[]));
    rowsByView.set(spec.name, rows);
  }
  const rejected: RejectedRecord[] = (await readCommittedDeadLetters(store, layout)).map(
    ({ topic, partition, offset, reason }) => ({ topic, partition, offset, reason }),
  );
  return { rowsByView, rejected, files };
}
