/**
 * `batch_views/_manifest.json`: which days of which views the batch layer has computed, when, into which
 * table version, and from what archive (per topic: table version, the live files the day needs and their
 * fingerprint, archive-tables.ts). Written after a day's tables are committed, so a run that dies in
 * between only leaves the day to be computed again. One batch writer at a time (docs/batch.md).
 * Format 1 throughout: an entry written when the fingerprint covered whole dates differs at most once
 * from today's (the day is computed again, with the same rows), never an error.
 */
import type { ObjectStore } from '../storage/object-store.ts';
import type { ArchiveUse } from './archive-tables.ts';
import { BatchError } from './batch-error.ts';
import { manifestKey, type BatchLayout } from './batch-layout.ts';

export interface ViewDayEntry {
  computed_at: string;
  rows: number;
  table_version: number;
  /** L of docs/batch.md: the day was computed from the events of [D − L, D + 1 day + L). */
  margin_ms: number;
  /** Per topic the view reads. */
  archive: Record<string, ArchiveUse>;
}

export interface BatchManifest {
  format: 1;
  /** Day → view → entry. */
  days: Record<string, Record<string, ViewDayEntry>>;
}

export function emptyManifest(): BatchManifest {
  return { format: 1, days: {} };
}

export async function readManifest(store: ObjectStore, layout: BatchLayout): Promise<BatchManifest> {
  const key = manifestKey(layout);
  const body = await store.get(key);
  if (body === undefined) return emptyManifest();
  let manifest: BatchManifest;
  try {
    manifest = JSON.parse(body.toString('utf8')) as BatchManifest;
  } catch (error) {
    throw new BatchError('corrupt_manifest', `${store.url}${key} is not JSON`, { cause: error });
  }
  if (manifest.format !== 1 || typeof manifest.days !== 'object' || manifest.days === null)
    throw new BatchError('corrupt_manifest', `${store.url}${key} is not a batch manifest of format 1`);
  return manifest;
}

/** The manifest with `entries` recorded for `day` (other views of the day kept), days in order. */
export function withDay(
  manifest: BatchManifest,
  day: string,
  entries: Readonly<Record<string, ViewDayEntry>>,
): BatchManifest {
  const merged = { ...manifest.days[day], ...entries };
  const views = Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((view) => [view, merged[view]!]),
  );
  const days = { ...manifest.days, [day]: views };
  const sorted = Object.fromEntries(
    Object.keys(days)
      .sort()
      .map((d) => [d, days[d]!]),
  );
  return { format: 1, days: sorted };
}

export async function writeManifest(
  store: ObjectStore,
  layout: BatchLayout,
  manifest: BatchManifest,
): Promise<void> {
  await store.put(manifestKey(layout), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
}

/** True when the view's day is not in the manifest, or was computed from other archive files or another L. */
export function needsComputing(
  manifest: BatchManifest,
  day: string,
  view: string,
  archive: Readonly<Record<string, ArchiveUse>>,
  marginMs: number,
): boolean {
  const entry = manifest.days[day]?.[view];
  if (entry === undefined || entry.margin_ms !== marginMs) return true;
  return Object.entries(archive).some(
    ([topic, use]) => entry.archive[topic]?.fingerprint !== use.fingerprint,
  );
}
