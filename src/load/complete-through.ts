/**
 * Waits until every view of the jobs says, in its `_completeness.json`, that it is complete through the
 * cutoff: only then are all rows final by the cutoff in the views tree. A job's `settled()` alone is not
 * enough for that: it holds once an idle advance at the last offset is committed, while later advances
 * (every 10 s of watermark at least) still move completeness on — a check made just then could miss the
 * windows ending in the last seconds before the cutoff.
 */
import type { JobName } from '../events/topics.ts';
import { VIEW_NAMES, viewSpec } from '../events/view-catalog.ts';
import { completenessKey, type StorageLayout } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';

const POLL_MS = 500;

/** The views whose completeness is still before `cutoffMs` (or unknown). */
export async function viewsBefore(
  store: ObjectStore,
  layout: StorageLayout,
  jobs: readonly JobName[],
  cutoffMs: number,
): Promise<string[]> {
  const views = VIEW_NAMES.filter((view) => jobs.includes(viewSpec(view).job));
  const behind = await Promise.all(
    views.map(async (view) => {
      const body = await store.get(completenessKey(layout, view));
      const through = body === undefined ? NaN : completeThroughMs(body);
      return Number.isNaN(through) || through < cutoffMs ? view : undefined;
    }),
  );
  return behind.filter((view): view is string => view !== undefined);
}

function completeThroughMs(body: Uint8Array): number {
  try {
    const { complete_through: through } = JSON.parse(Buffer.from(body).toString('utf8')) as {
      complete_through?: unknown;
    };
    return typeof through === 'string' ? Date.parse(through) : NaN;
  } catch {
    return NaN; // being rewritten: read again
  }
}

/** Polls until no view is behind the cutoff; throws naming them after `timeoutMs`. */
export async function waitCompleteThrough(
  store: ObjectStore,
  layout: StorageLayout,
  jobs: readonly JobName[],
  cutoffMs: number,
  timeoutMs: number,
): Promise<void> {
  const startedMs = performance.now();
  for (;;) {
    const behind = await viewsBefore(store, layout, jobs, cutoffMs);
    if (behind.length === 0) return;
    if (performance.now() - startedMs > timeoutMs)
      throw new Error(`sustained: views not complete through the cutoff: ${behind.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
