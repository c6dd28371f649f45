/**
 * The partials tree (`realtime_partials/<view>/date=…/<job>-<N>.parquet`): finding a job's partial files by
 * the commit that wrote them, and reading their rows per view. Completion and `query --include-incomplete`
 * read it; plain readers never need to.
 */
import type { ViewRow } from '../../events/view-dump.ts';
import { numberOfFinalKey, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readParquet } from '../../storage/parquet-reader.ts';
import { IO_CONCURRENCY, forEachLimit } from './publish.ts';

/** A file to read: its final key, and where a committed but not yet published copy waits. */
export interface FileSource {
  key: string;
  staging?: string;
}

/**
 * A committed file's bytes, from its final key or its staged copy; undefined when it is gone from both. The
 * final key is read again after a miss in staging: the commit may have copied it and deleted staging
 * between the first two reads (staging goes only once every final copy exists).
 */
export async function readFileSource(
  store: ObjectStore,
  { key, staging }: FileSource,
): Promise<Buffer | undefined> {
  const bytes = (await store.get(key)) ?? (staging === undefined ? undefined : await store.get(staging));
  return bytes ?? (staging === undefined ? undefined : await store.get(key));
}

/**
 * Every partial file of the job's views under the partials tree, per commit group (io/commit-groups.ts),
 * by the commit that wrote it.
 */
export async function listPartialFiles(
  store: ObjectStore,
  layout: StorageLayout,
  job: string,
  views: readonly string[],
  groups = 1,
): Promise<Map<number, string[]>[]> {
  const byGroup = Array.from({ length: groups }, () => new Map<number, string[]>());
  const stream = job.replaceAll('.', '\\.');
  const name = new RegExp(
    groups === 1 ? `^${stream}-()\\d+\\.parquet$` : `^${stream}\\.g(\\d+)-\\d+\\.parquet$`,
  );
  for (const view of views) {
    for (const key of await store.list(`${layout.partialsPrefix}${view}/`)) {
      const match = name.exec(key.slice(key.lastIndexOf('/') + 1));
      const byCommit = match === null ? undefined : byGroup[Number(match[1] || 0)];
      const commit = numberOfFinalKey(key);
      if (byCommit === undefined || commit === undefined) continue;
      byCommit.set(commit, [...(byCommit.get(commit) ?? []), key]);
    }
  }
  return byGroup;
}

/** The view a key of the partials or views tree belongs to. */
export function viewOfKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const slash = key.indexOf('/', prefix.length);
  return slash < 0 ? undefined : key.slice(prefix.length, slash);
}

/**
 * The rows of the files, per view (by `prefix`). A file gone from both places was deleted after its rows
 * were all published complete: it holds nothing pending and is skipped.
 */
export async function readRowsByView(
  store: ObjectStore,
  prefix: string,
  sources: readonly FileSource[],
): Promise<Map<string, ViewRow[]>> {
  const rowsByView = new Map<string, ViewRow[]>();
  await forEachLimit(sources, IO_CONCURRENCY, async ({ key, staging }) => {
    const view = viewOfKey(prefix, key);
    if (view === undefined) return;
    const bytes = await readFileSource(store, { key, staging });
    if (bytes === undefined) return;
    const rows = (await readParquet(bytes)).rows as ViewRow[];
    const list = rowsByView.get(view);
    if (list === undefined) rowsByView.set(view, rows);
    else list.push(...rows);
  });
  return rowsByView;
}
