/**
 * The scale-out scenario's arithmetic (src/load/scale-out-report.ts) and the protocol-only writers
 * (src/load/scale-out-protocol.ts) on the file store.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { measureProtocol } from '../../src/load/scale-out-protocol.ts';
import { commitColumns, quantile, requestsPerSecond } from '../../src/load/scale-out-report.ts';
import { resolveLoadParams } from '../../src/load/load-params.ts';
import { tempDir } from './temp-dir.ts';

describe('the scale-out figures', () => {
  it('bill operations by S3 kind: copy as PUT, exists as GET, deletes per key', () => {
    const counts = new Map([
      ['put', 10],
      ['putIfAbsent', 2],
      ['copy', 8],
      ['list', 4],
      ['get', 6],
      ['exists', 2],
      ['delete', 12],
    ]);
    expect(requestsPerSecond(counts, 2000)).toEqual({ put: 10, list: 2, get: 4, delete: 6, total: 22 });
  });

  it('take conflicts per commit, re-staged bytes per second and nearest-rank quantiles from the commits', () => {
    const commit = (durationMs: number, conflicts: number) => ({
      durationMs,
      attempts: conflicts + 1,
      conflicts,
      restagedBytes: conflicts * 1024,
      checkpointBytes: 2048,
    });
    const commits = [commit(10, 0), commit(20, 1), commit(30, 0), commit(400, 3)];
    expect(commitColumns(commits, 2000)).toEqual({
      commitsPerS: 2,
      conflictsPerCommit: 1,
      restagedKiBPerS: 2,
      p50Ms: 20,
      p99Ms: 400,
      maxAttempts: 4,
      checkpointKiB: 2,
    });
    expect(quantile([], 0.5)).toBeNull();
  });

  it('is asked for by name, not part of a default load run', () => {
    expect(resolveLoadParams({}).scenarios).not.toContain('scale-out');
    expect(resolveLoadParams({ scenarios: ['scale-out'] }).scenarios).toEqual(['scale-out']);
  });
});

/** Three writers over six partitions for a second, on a file store. */
function threeWriters(groups: number) {
  const store = new FileObjectStore(tempDir('scale-out-protocol-'));
  return measureProtocol(store, DEFAULT_LAYOUT, {
    k: 3,
    partitions: 6,
    groups,
    intervalMs: 200,
    warmUpMs: 0,
    measureMs: 1000,
    stateBytes: 64,
    files: 2,
    fileBytes: 128,
  });
}

describe('the protocol-only writers', () => {
  it('commit at most once per interval each, every commit counted once, on one shared log', async () => {
    const measured = await threeWriters(1);

    expect(measured.failures).toEqual([]);
    // Every writer starts a first commit within the window (it starts at most one interval in).
    expect(measured.commits.length).toBeGreaterThanOrEqual(3);
    // Each commit took its own number of the shared log; no writer commits more often than its interval.
    expect(new Set(measured.commits.map((c) => c.commit)).size).toBe(measured.commits.length);
    expect(measured.commits.length).toBeLessThanOrEqual(3 * (1000 / 200 + 1));
    expect(measured.requests.get('putIfAbsent')).toBeGreaterThan(0);
    for (const c of measured.commits) expect(c.conflicts).toBe(c.attempts - 1);
  });

  it('commit to the logs of their own groups without a conflict when each holds one group', async () => {
    const measured = await threeWriters(3); // writer i holds partitions i and i + 3: group i

    expect(measured.failures).toEqual([]);
    expect(new Set(measured.commits.map((c) => c.group))).toEqual(new Set([0, 1, 2]));
    const ids = measured.commits.map((c) => `${c.group}:${c.commit}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(measured.commits.every((c) => c.conflicts === 0 && c.attempts === 1)).toBe(true);
  });
});
