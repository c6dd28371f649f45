/**
 * The sustained check reads the views tree only once every view says it is complete through the cutoff
 * (a job can be settled while its latest idle advance is not committed yet).
 */
import { describe, expect, it } from 'vitest';
import { viewsBefore, waitCompleteThrough } from '../../src/load/complete-through.ts';
import { VIEW_NAMES, viewSpec } from '../../src/events/view-catalog.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT, completenessKey } from '../../src/storage/layout.ts';
import { tempDir } from './temp-dir.ts';

const CUTOFF_MS = Date.parse('2025-01-06T08:03:00Z');
const authViews = VIEW_NAMES.filter((view) => viewSpec(view).job === 'auth');

async function writeThrough(store: FileObjectStore, view: string, through: string | null) {
  const body = JSON.stringify({ view, job: 'auth', complete_through: through });
  await store.put(completenessKey(DEFAULT_LAYOUT, view), Buffer.from(body));
}

describe('complete through the cutoff', () => {
  it('names the views of the jobs whose completeness is before the cutoff, missing or null', async () => {
    const store = new FileObjectStore(tempDir('load-complete-through-'));
    const [first, second, ...rest] = authViews;
    await writeThrough(store, first!, '2025-01-06T08:02:50.000Z'); // 10 s short: an idle step behind
    await writeThrough(store, second!, null);
    for (const view of rest) await writeThrough(store, view, '2025-01-06T08:03:00.000Z');

    const behind = await viewsBefore(store, DEFAULT_LAYOUT, ['auth'], CUTOFF_MS);
    expect(behind.sort()).toEqual([first!, second!].sort());
    // Other jobs' views are not asked for.
    expect(behind.every((view) => viewSpec(view).job === 'auth')).toBe(true);

    await writeThrough(store, first!, '2025-01-06T08:03:10.000Z');
    await writeThrough(store, second!, '2025-01-06T08:03:00.000Z');
    expect(await viewsBefore(store, DEFAULT_LAYOUT, ['auth'], CUTOFF_MS)).toEqual([]);
    await expect(
      waitCompleteThrough(store, DEFAULT_LAYOUT, ['auth'], CUTOFF_MS, 1_000),
    ).resolves.toBeUndefined();
  });

  it('gives up naming the views still behind', async () => {
    const store = new FileObjectStore(tempDir('load-complete-through-'));
    await expect(waitCompleteThrough(store, DEFAULT_LAYOUT, ['auth'], CUTOFF_MS, 0)).rejects.toThrow(
      authViews[0]!,
    );
  });
});
