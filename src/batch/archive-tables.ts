/**
 * The raw archive as the batch layer sees it: one Delta table per topic (`raw/<topic>/`), read at its
 * latest version, so files a compaction replaced are not read twice. What a day used is recorded as the
 * table version and a fingerprint of the live files the day needs: the version moves with every
 * completion, the fingerprint only when those files changed (new, e.g. late, records; a compaction).
 * A file the day needs is one of the dates read whose event-time range (the `event_time_ms` bounds of
 * its add's stats) meets the day's load window [D − L, D + 1 day + L); a file without bounds (written
 * before the archive had stats) always counts. So today's files past D + 1 day + L leave yesterday alone.
 */
import { createHash } from 'node:crypto';
import type { AddAction } from '../storage/delta/actions.ts';
import { readSnapshot } from '../storage/delta/read-snapshot.ts';
import { PARTITION_COLUMN } from '../storage/delta/schema.ts';
import { liveFiles, type DeltaSnapshot } from '../storage/delta/snapshot.ts';
import { dataKey } from '../storage/delta/table-keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { rawTable, type BatchLayout } from './batch-layout.ts';
import type { DayWindow } from './batch-days.ts';

/** The archive column whose stats bound a file's events in time (archive-columns.ts). */
const EVENT_TIME_COLUMN = 'event_time_ms';

export interface TopicArchive {
  topic: string;
  /** -1 when the topic has no table yet. */
  version: number;
  snapshot: DeltaSnapshot;
}

/** What one day's computation read of a topic. */
export interface ArchiveUse {
  version: number;
  /** The live files the day needs (`dayFiles`). */
  files: number;
  /** Hash of their paths and sizes. */
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

/** The event times of a file's rows, [minMs, maxMs], from its add's stats; undefined when not known. */
export function eventTimeBounds(add: AddAction): { minMs: number; maxMs: number } | undefined {
  if (add.stats === undefined) return undefined;
  let stats: { minValues?: Record<string, unknown>; maxValues?: Record<string, unknown> };
  try {
    stats = JSON.parse(add.stats) as typeof stats;
  } catch {
    return undefined; // unreadable stats bound nothing
  }
  const instant = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : NaN);
  const minMs = instant(stats?.minValues?.[EVENT_TIME_COLUMN]);
  const maxMs = instant(stats?.maxValues?.[EVENT_TIME_COLUMN]);
  return Number.isNaN(minMs) || Number.isNaN(maxMs) ? undefined : { minMs, maxMs };
}

/** True when the file may hold events of [fromMs, toMs): its bounds meet it, or it has none. */
function mayHoldEventsOf(add: AddAction, fromMs: number, toMs: number): boolean {
  const bounds = eventTimeBounds(add);
  return bounds === undefined || (bounds.maxMs >= fromMs && bounds.minMs < toMs);
}

/** The live files a day's computation needs: of its dates, those that may hold events of its load window. */
export function dayFiles(archive: TopicArchive, window: DayWindow): AddAction[] {
  return filesOf(archive, window.dates).filter((add) =>
    mayHoldEventsOf(add, window.loadFromMs, window.loadToMs),
  );
}

/** The store keys of those files. */
export function dayKeys(
  store: ObjectStore,
  layout: BatchLayout,
  archive: TopicArchive,
  window: DayWindow,
): string[] {
  const table = rawTable(store, layout, archive.topic);
  return dayFiles(archive, window).map((add) => dataKey(table, add.path));
}

/**
 * What the day reads of a topic. The fingerprint hashes path and size of each file the day needs, as
 * before bounds existed: a manifest entry made when every file counted keeps its fingerprint, one made
 * from files the day no longer needs differs once (one recomputation, same rows).
 */
export function archiveUse(archive: TopicArchive, window: DayWindow): ArchiveUse {
  const files = dayFiles(archive, window);
  const hash = createHash('sha256');
  for (const add of files) hash.update(`${add.path} ${add.size}\n`);
  return { version: archive.version, files: files.length, fingerprint: hash.digest('hex').slice(0, 16) };
}
