/**
 * The raw archive as the batch layer sees it: one Delta table per topic (`raw/<topic>/`), read at its
 * latest version, so files a compaction replaced are not read twice. What a day used is recorded as the
 * table version and a fingerprint of the live files of the dates read: the version moves with every
 * completion, the fingerprint only when those dates got new (e.g. late) records or were compacted.
 */
import { createHash } from 'node:crypto';
import type { AddAction } from '../storage/delta/actions.ts';
import { readSnapshot } from '../storage/delta/read-snapshot.ts';
import { PARTITION_COLUMN } from '../storage/delta/schema.ts';
import { liveFiles, type DeltaSnapshot } from '../storage/delta/snapshot.ts';
import { dataKey } from '../storage/delta/table-keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { rawTable, type BatchLayout } from './batch-layout.ts';

export interface TopicArchive {
  topic: string;
  /** -1 when the topic has no table yet. */
  version: number;
  snapshot: DeltaSnapshot;
}

/** What one day's computation read of a topic. */
export interface ArchiveUse {
  version: number;
  files: number;
  fingerprint: string;
}

export async function readArchive(
  store: ObjectStore,
  layout: BatchLayout,
  topics: readonly string[],
): Promise<Map<string, TopicArchive>> {
  const read = await Promise.all(
    topics.map(async (topic) => {
      const snapshot = await readSnapshot(rawTable(store, layout, topic));
      return [topic, { topic, version: snapshot.version, snapshot }] as const;
    }),
  );
  return new Map(read);
}

/** The live files of the dates, sorted by path. */
export function filesOf(archive: TopicArchive, dates: readonly string[]): AddAction[] {
  const wanted = new Set(dates);
  return liveFiles(archive.snapshot).filter((add) => wanted.has(add.partitionValues[PARTITION_COLUMN] ?? ''));
}

/** The store keys of those files. */
export function keysOf(
  store: ObjectStore,
  layout: BatchLayout,
  archive: TopicArchive,
  dates: readonly string[],
) {
  const table = rawTable(store, layout, archive.topic);
  return filesOf(archive, dates).map((add) => dataKey(table, add.path));
}

/** The dates that hold at least one live file. */
export function datesWithData(archive: TopicArchive): Set<string> {
  return new Set(liveFiles(archive.snapshot).map((add) => add.partitionValues[PARTITION_COLUMN] ?? ''));
}

export function archiveUse(archive: TopicArchive, dates: readonly string[]): ArchiveUse {
  const files = filesOf(archive, dates);
  const hash = createHash('sha256');
  for (const add of files) hash.update(`${add.path} ${add.size}\n`);
  return { version: archive.version, files: files.length, fingerprint: hash.digest('hex').slice(0, 16) };
}
