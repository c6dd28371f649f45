/**
 * Step (c)/(d) of a commit and its recovery: copy staged files to their final keys, then delete the
 * staging copies. Staging is deleted only after every final copy exists, so a staged file that is gone
 * means its final copy exists; a redo copies the same bytes to the same keys.
 */
import { numberOfStagingKey } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { StagedFile } from './checkpoint-codec.ts';
import { StorageError } from '../../storage/storage-error.ts';

/** Requests in flight at once when publishing or staging many files. */
export const IO_CONCURRENCY = 8;

export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function publishStaged(store: ObjectStore, files: readonly StagedFile[]): Promise<void> {
  await copyStaged(store, files);
  await store.deleteMany(files.map((file) => file.staging));
}

/** Step (c) alone: every final copy exists afterwards (the staging copies are still there). */
export async function copyStaged(store: ObjectStore, files: readonly StagedFile[]): Promise<void> {
  await forEachLimit(files, IO_CONCURRENCY, async ({ staging, final }) => {
    if ((await store.copy(staging, final)) === 'copied') return;
    if (!(await store.exists(final))) {
      throw new StorageError(
        'missing_file',
        `committed file ${final} is missing from staging (${staging}) too`,
      );
    }
  });
}

export interface CommittedFiles {
  /** Staged → final files of a commit still in the log, by commit number. */
  filesOf(commit: number): readonly StagedFile[] | undefined;
  /** Highest commit number known to exist; staging above it may belong to a writer still at work. */
  latestCommit: number;
}

/**
 * Recovery of staging under `root` (a job's commit staging or its completion staging): for every staging
 * directory of a number <= latestCommit, publish what that commit references and is still staged
 * (idempotent; a staged file that is gone was copied before it was deleted) and delete the rest (attempts
 * that lost the race, crashed writers). Directories above latestCommit are left alone: a live writer may
 * be staging there right now. Returns the number of staging keys deleted without being published.
 */
export async function settleStaging(store: ObjectStore, root: string, log: CommittedFiles): Promise<number> {
  const byDir = new Map<string, string[]>();
  for (const key of await store.list(root)) {
    const commit = numberOfStagingKey(root, key);
    if (commit === undefined || commit > log.latestCommit) continue;
    const dir = key.slice(0, key.indexOf('/', root.length) + 1);
    byDir.set(dir, [...(byDir.get(dir) ?? []), key]);
  }
  let discarded = 0;
  for (const [dir, keys] of byDir) {
    const staged = new Set(keys);
    const committed = (log.filesOf(numberOfStagingKey(root, keys[0]!)!) ?? []).filter(
      (file) => file.staging.startsWith(dir) && staged.has(file.staging),
    );
    if (committed.length > 0) await publishStaged(store, committed);
    const published = new Set(committed.map((file) => file.staging));
    const leftovers = keys.filter((key) => !published.has(key));
    discarded += leftovers.length;
    await store.deleteMany(leftovers);
  }
  return discarded;
}
