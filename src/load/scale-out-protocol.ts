/**
 * The commit protocol alone, without Kafka, engines or completion: k writers in this process, each
 * owning its share of the partitions and committing every commit interval (a checkpoint with one state
 * blob per owned partition, and a few output files) to the job's log — or, with commit groups, to the log
 * of each group it holds partitions of (io/commit-groups.ts) — as k `run` instances would. On the file
 * store it isolates the protocol from S3 latency; on S3 it shows what the protocol alone costs there.
 */
import { randomBytes } from 'node:crypto';
import { CommitGroups, type GroupWrite } from '../processor/io/commit-groups.ts';
import type { CheckpointPartition } from '../processor/io/checkpoint-codec.ts';
import type { OutputFile, StorageLayout } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { CountingStore, type StoreOperation } from './counting-store.ts';

export interface ProtocolPhase {
  k: number;
  partitions: number;
  /** Commit groups (1: the one shared log). */
  groups: number;
  intervalMs: number;
  warmUpMs: number;
  measureMs: number;
  /** State bytes per partition in each checkpoint (random: incompressible, like event ids). */
  stateBytes: number;
  /** Output files per commit and group written, and bytes of each. */
  files: number;
  fileBytes: number;
}

/** One commit as its writer saw it. */
export interface CommitSample {
  atMs: number;
  /** The commit group whose log took it. */
  group: number;
  commit: number;
  durationMs: number;
  attempts: number;
  conflicts: number;
  restagedBytes: number;
  checkpointBytes: number;
}

export interface ProtocolMeasure {
  commits: CommitSample[];
  /** Requests by operation over the measured window. */
  requests: Map<StoreOperation, number>;
  elapsedMs: number;
  /** Commits that failed (no free number after the committer's attempts, or a store error). */
  failures: string[];
}

const JOB = 'auth';
const TOPIC = 'lms.auth';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function outputFiles(writer: number, phase: ProtocolPhase): OutputFile[] {
  return Array.from({ length: phase.files }, (_, index) => ({
    dir: `realtime_partials/view_${index}/date=2025-01-06/w${writer}`,
    extension: 'parquet',
    body: randomBytes(phase.fileBytes),
  }));
}

/**
 * Runs k writers on `inner` under `layout` for warm-up + measure (the clock starts once every writer has
 * recovered); the commits started in the measured window, and the requests from its start until the last
 * of them is visible.
 */
export async function measureProtocol(
  inner: ObjectStore,
  layout: StorageLayout,
  phase: ProtocolPhase,
): Promise<ProtocolMeasure> {
  const store = new CountingStore(inner);
  const writers = await Promise.all(
    Array.from({ length: phase.k }, async (_, index) => {
      const owned = Array.from({ length: phase.partitions }, (_, p) => p)
        .filter((p) => p % phase.k === index)
        .map((partition) => ({ topic: TOPIC, partition }));
      const committer = new CommitGroups(store, {
        job: JOB,
        layout,
        writerId: `p${phase.k}w${index}`,
        groups: phase.groups,
      });
      await committer.recover(owned);
      return { index, owned, committer };
    }),
  );
  const startMs = performance.now();
  const measureFromMs = startMs + phase.warmUpMs;
  const endMs = measureFromMs + phase.measureMs;
  const commits: CommitSample[] = [];
  const failures: string[] = [];
  let atMeasure: Map<StoreOperation, number> | undefined;
  const snapshotAtMeasure = setTimeout(() => (atMeasure = store.snapshot()), phase.warmUpMs);

  const run = async ({ index, owned, committer }: (typeof writers)[number]): Promise<void> => {
    await sleep(Math.random() * phase.intervalMs); // instances start at unrelated moments
    let nextOffset = 0;
    while (performance.now() < endMs) {
      const startedMs = performance.now();
      nextOffset += 10;
      const writes = new Map<number, GroupWrite & { snapshots: CheckpointPartition[] }>();
      for (const ref of owned) {
        const group = committer.groupOf(ref.partition);
        const write = writes.get(group) ?? { group, snapshots: [], files: outputFiles(index, phase) };
        write.snapshots.push({ ...ref, nextOffset, state: randomBytes(phase.stateBytes) });
        writes.set(group, write);
      }
      try {
        const results = await committer.commitVisible([...writes.values()]);
        const atMs = performance.now();
        await committer.tidied();
        if (startedMs >= measureFromMs) for (const result of results) commits.push({ atMs, ...result });
      } catch (error) {
        failures.push(`writer ${index}: ${(error as Error).message}`);
        await committer.recover(owned);
      }
      await sleep(Math.max(0, startedMs + phase.intervalMs - performance.now()));
    }
  };
  await Promise.all(writers.map(run));
  clearTimeout(snapshotAtMeasure);
  const requests = new Map<StoreOperation, number>();
  for (const [operation, n] of store.counts) requests.set(operation, n - (atMeasure?.get(operation) ?? 0));
  return { commits, requests, elapsedMs: phase.measureMs, failures };
}
