import { afterEach, describe, expect, it } from 'vitest';
import { planCompactions, type CompactionCandidate } from '../../src/processor/runner/compaction.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { tempStore } from './query-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const DIR = `${DEFAULT_LAYOUT.deadLetterPrefix}lms.auth/date=2025-01-06`;
const naming = { layout: DEFAULT_LAYOUT, job: 'auth', completion: 7 };

/** Five dead-letter files of one date, 10 bytes each (`{"n":N}…`). */
async function fiveFiles() {
  const { store, remove } = await tempStore();
  cleanups.push(remove);
  const keys: string[] = [];
  for (let n = 0; n < 5; n++) {
    const key = `${DIR}/auth-00000000000${n}.ndjson`;
    await store.put(key, Buffer.from(`{"n":${n}}   `)); // 10 bytes, the last line without its newline
    keys.push(key);
  }
  const candidate: CompactionCandidate = {
    tree: 'dead_letter',
    table: 'lms.auth',
    date: '2025-01-06',
    files: keys.map((key) => ({ key })),
  };
  return { store, keys, candidate };
}

describe('planning the compaction of a closed date', () => {
  it('bin-packs record-tree files up to the merged size and leaves a lone file alone', async () => {
    const { store, keys, candidate } = await fiveFiles();
    const limits = { filesPerRecord: 25, bytesPerRecord: 1_000, mergedFileBytes: 25 };

    const { planned, more } = await planCompactions(store, [candidate], naming, limits);

    expect(more).toBe(false);
    expect(planned.map(({ plan }) => [plan.tree, plan.merged, plan.replaced])).toEqual([
      ['dead_letter', `${DIR}/compacted-auth-000000000007.ndjson`, keys.slice(0, 2)],
      ['dead_letter', `${DIR}/compacted-auth-000000000007.p0001.ndjson`, keys.slice(2, 4)],
    ]);
    // Lines keep their ends: each file's line, then a newline.
    expect(planned[0]!.body.toString()).toBe('{"n":0}   \n{"n":1}   \n');
  });

  it('stops at the per-record limits and says more is left', async () => {
    const { store, keys, candidate } = await fiveFiles();
    const limits = { filesPerRecord: 25, bytesPerRecord: 30, mergedFileBytes: 1_000 };

    const { planned, more } = await planCompactions(store, [candidate], naming, limits);

    expect(more).toBe(true);
    expect(planned.map(({ plan }) => plan.replaced)).toEqual([keys.slice(0, 3)]);
  });
});
