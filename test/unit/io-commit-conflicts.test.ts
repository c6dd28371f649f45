/**
 * The commit protocol made observable (issue 17): two writers racing for one commit number on the file
 * store, counted by the committer's result, its observer, the job's Prometheus counters and the metered
 * store of a `run` process.
 */
import { describe, expect, it } from 'vitest';
import { JobCommitter, backoffCapMs, type CommitObserver } from '../../src/processor/io/commit.ts';
import { JobMetrics } from '../../src/processor/runner/job-metrics.ts';
import { meteredStore } from '../../src/processor/runtime/metered-store.ts';
import { createMetrics, type Metrics } from '../../src/processor/runtime/metrics.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { OutputFile } from '../../src/storage/layout.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { isStorageError } from '../../src/storage/storage-error.ts';
import { tempDir } from './temp-dir.ts';

const TOPIC = 'lms.auth';

/** The store, except that the first `writers` conditional puts wait for each other, so they really race. */
function withPutBarrier(store: ObjectStore, writers: number): ObjectStore {
  let waiting = 0;
  let release: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (release = resolve));
  return Object.assign(Object.create(store) as ObjectStore, {
    async putIfAbsent(key: string, body: Uint8Array) {
      if (waiting < writers) {
        waiting += 1;
        if (waiting === writers) release();
        await allArrived;
      }
      return store.putIfAbsent(key, body);
    },
  });
}

/** Two output files of `bytes` bytes together, in directories of their own per writer. */
function filesOf(writer: string, bytes: number): OutputFile[] {
  const half = Math.floor(bytes / 2);
  return [
    { dir: `realtime_partials/v1/${writer}`, extension: 'parquet', body: new Uint8Array(half).fill(1) },
    {
      dir: `realtime_partials/v2/${writer}`,
      extension: 'ndjson',
      body: new Uint8Array(bytes - half).fill(2),
    },
  ];
}

const snapshot = (partition: number) => [
  { topic: TOPIC, partition, nextOffset: 1, state: Buffer.from(`state-${partition}`) },
];

async function valueOf(metrics: Metrics, name: keyof Metrics, labels: Record<string, string>) {
  const metric = metrics[name] as { get(): Promise<{ values: { labels: object; value: number }[] }> };
  const { values } = await metric.get();
  const found = values.find((v) =>
    Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  );
  return found?.value ?? 0;
}

/** Writers `a` and `b` of job auth over one (metered, racing) file store, counted in `metrics`. */
function twoWriters(metrics: Metrics) {
  const file = new FileObjectStore(tempDir('io-commit-conflicts-'));
  const store = withPutBarrier(meteredStore(file, metrics.storeRequests), 2);
  const observer: CommitObserver = new JobMetrics(metrics, 'auth').commitObserver();
  /** Lost races in a row, as each writer's backoff was told them. */
  const waits = { a: [] as number[], b: [] as number[] };
  const committer = (writerId: 'a' | 'b') =>
    new JobCommitter(store, {
      job: 'auth',
      writerId,
      minRetentionMs: 0,
      observer,
      backoff: async (losses) => void waits[writerId].push(losses),
    });
  return { file, waits, a: committer('a'), b: committer('b') };
}

describe('the commit protocol counted', () => {
  it('counts a conflict, the bytes it re-stages and the attempts when two writers race for one number', async () => {
    const metrics = createMetrics();
    const { file, waits, a, b } = twoWriters(metrics);
    await a.recover([{ topic: TOPIC, partition: 0 }]);
    await b.recover([{ topic: TOPIC, partition: 1 }]);

    const [ra, rb] = await Promise.all([
      a.commit(snapshot(0), filesOf('a', 1000)),
      b.commit(snapshot(1), filesOf('b', 3000)),
    ]);

    const [winner, loser] = ra.commit === 1 ? [ra, rb] : [rb, ra];
    // The loser read the winner's commit before its own: it knows two instances share the log.
    expect((loser === ra ? a : b).activeWriters()).toBe(2);
    const loserBytes = loser === ra ? 1000 : 3000;
    expect(winner).toMatchObject({ commit: 1, attempts: 1, conflicts: 0, restagedBytes: 0 });
    expect(loser).toMatchObject({ commit: 2, attempts: 2, conflicts: 1, restagedBytes: loserBytes });
    expect(await valueOf(metrics, 'commitAttempts', { job: 'auth' })).toBe(3);
    expect(await valueOf(metrics, 'commitConflicts', { job: 'auth' })).toBe(1);
    expect(await valueOf(metrics, 'commitRestagedBytes', { job: 'auth' })).toBe(loserBytes);
    expect(await valueOf(metrics, 'commitFenced', { job: 'auth' })).toBe(0);
    // Three conditional puts went to the store; the loser's staging was deleted and staged again.
    expect(await valueOf(metrics, 'storeRequests', { operation: 'putIfAbsent' })).toBe(3);
    expect(await valueOf(metrics, 'storeRequests', { operation: 'put' })).toBe(2 + 2 + 2);
    expect(await file.list('checkpoints/speed/auth_stream/staging/')).toEqual([]);
    // The loser waited once before its retry, the winner never.
    expect([waits.a, waits.b].sort((x, y) => x.length - y.length)).toEqual([[], [1]]);
  });

  it('waits longer after each lost race in a row, up to a second', () => {
    const caps = [1, 2, 3, 4, 5, 6, 7, 8].map(backoffCapMs);
    expect(caps).toEqual([20, 40, 80, 160, 320, 640, 1000, 1000]);
  });

  it('counts no conflict when the writers take turns', async () => {
    const metrics = createMetrics();
    const { a, b } = twoWriters(metrics);
    await a.recover([{ topic: TOPIC, partition: 0 }]);
    await b.recover([{ topic: TOPIC, partition: 1 }]);
    // The barrier holds the first two puts until both arrive: let them race once, then alternate.
    await Promise.all([a.commit(snapshot(0), []), b.commit(snapshot(1), [])]);
    for (let round = 0; round < 3; round++) {
      await a.commit(snapshot(0), filesOf('a', 500));
      await b.commit(snapshot(1), filesOf('b', 500));
    }

    expect(await valueOf(metrics, 'commitAttempts', { job: 'auth' })).toBe(3 + 6);
    expect(await valueOf(metrics, 'commitConflicts', { job: 'auth' })).toBe(1);
    expect(await valueOf(metrics, 'commitRestagedBytes', { job: 'auth' })).toBe(0);
  });

  it('counts a fenced commit when both writers hold the same partition', async () => {
    const metrics = createMetrics();
    const { a, b } = twoWriters(metrics);
    await a.recover([{ topic: TOPIC, partition: 0 }]);
    await b.recover([{ topic: TOPIC, partition: 0 }]);

    const outcomes = await Promise.allSettled([
      a.commit(snapshot(0), filesOf('a', 800)),
      b.commit(snapshot(0), filesOf('b', 800)),
    ]);

    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(isStorageError((rejected[0] as PromiseRejectedResult).reason, 'fenced')).toBe(true);
    // The loser's put found 1 taken (a conflict, its 800 bytes to re-stage), then its listing fenced it.
    expect(await valueOf(metrics, 'commitConflicts', { job: 'auth' })).toBe(1);
    expect(await valueOf(metrics, 'commitRestagedBytes', { job: 'auth' })).toBe(800);
    expect(await valueOf(metrics, 'commitFenced', { job: 'auth' })).toBe(1);
  });
});
