/**
 * Everything a store holds as one result, the form the oracle produces: every view's published rows
 * merged into logical rows, and the dead letters. For checks of a whole run (load scenarios, tests).
 */
import { VIEW_SPECS } from '../../events/view-catalog.ts';
import type { RejectedRecord, ViewRow } from '../../events/view-dump.ts';
import type { ViewResult } from '../../events/view-result.ts';
import { logicalRow, mergeRows } from '../engine/merge-rows.ts';
import { readDeadLetters } from '../io/dead-letter.ts';
import { JOB_VIEWS } from '../jobs.ts';
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
  const views = Object.values(JOB_VIEWS).flat();
  for (const spec of VIEW_SPECS) {
    const view = views.find((candidate) => candidate.name === spec.name)!;
    const keys = (await store.list(`${layout.viewsPrefix}${spec.name}/`)).filter((key) =>
      key.endsWith('.parquet'),
    );
    files.set(spec.name, keys);
    const partial: ViewRow[] = [];
    for (const key of keys) partial.push(...((await readParquet((await store.get(key))!)).rows as ViewRow[]));
    rowsByView.set(
      spec.name,
      mergeRows(view, partial).map((row) => logicalRow(view, row)),
    );
  }
  const rejected: RejectedRecord[] = (await readDeadLetters(store, layout.deadLetterPrefix)).map(
    ({ topic, partition, offset, reason }) => ({ topic, partition, offset, reason }),
  );
  return { rowsByView, rejected, files };
}
