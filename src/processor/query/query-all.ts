/**
 * Every view and the dead letters at once, in the form replay and the oracle dump
 * (docs/contract/record-files-and-dumps.md): `query --all --out DIR` writes it with writeViewDump, so a
 * live store compares with `replay`/`oracle` output by `diff -r`.
 */
import { VIEW_NAMES } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import type { ViewResult } from '../../events/view-result.ts';
import { readCommittedDeadLetters } from '../io/dead-letter-reader.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { StartRange } from './start-range.ts';
import { ViewQuery } from './view-query.ts';

export interface AllViews extends ViewResult {
  /** Parquet files read over all views. */
  files: number;
}

export async function queryAll(
  store: ObjectStore,
  layout: StorageLayout,
  request: StartRange & { includeIncomplete?: boolean },
): Promise<AllViews> {
  const query = new ViewQuery(store, { layout });
  const rowsByView = new Map<string, ViewRow[]>();
  let files = 0;
  for (const view of VIEW_NAMES) {
    const result = await query.query({ ...request, view });
    rowsByView.set(view, result.rows);
    files += result.files;
  }
  const rejected = (await readCommittedDeadLetters(store, layout)).map(
    ({ topic, partition, offset, reason }) => ({ topic, partition, offset, reason }),
  );
  return { rowsByView, rejected, files };
}
