/**
 * Writes what running jobs leave in storage, for query tests: an "instance" owns some partitions of a
 * job and commits through io's real commit groups (CommitGroups), with the runner's partition blobs (an engine snapshot
 * whose clock gives wm(p), also in the checkpoint header) and the runner's partial Parquet files (catalog
 * + `_` merge columns); after each commit its real Completer publishes what became complete.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobName } from '../../src/events/topics.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import {
  SNAPSHOT_VERSION,
  type PartitionSnapshot as EngineSnapshot,
} from '../../src/processor/engine/snapshot.ts';
import type { CheckpointPartition } from '../../src/processor/io/checkpoint-codec.ts';
import type { PartitionRef } from '../../src/processor/io/commit.ts';
import { CommitGroups } from '../../src/processor/io/commit-groups.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { JOB_VIEWS } from '../../src/processor/jobs.ts';
import { commitOutputFiles } from '../../src/processor/runner/output-files.ts';
import { encodePartitionBlob } from '../../src/processor/io/partition-state-blob.ts';
import { Completer } from '../../src/processor/runner/completer.ts';
import type { DeadLetter } from '../../src/processor/io/dead-letter.ts';

export const DELAY_MS = 120_000;
export const PARTITIONS = 6;
export const at = (hhmm: string): number => Date.parse(`2025-01-06T${hhmm}:00.000Z`);

export async function tempStore(): Promise<{
  store: FileObjectStore;
  root: string;
  remove: () => Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'query-test-'));
  return { store: new FileObjectStore(root), root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** A partition blob whose clock gives `watermarkMs` (maxT = wm + D); +∞ means end of input. */
export function blobWithWatermark(
  job: string,
  topic: string,
  partition: number,
  watermarkMs: number,
): Uint8Array {
  const engine: EngineSnapshot = {
    version: SNAPSHOT_VERSION,
    job,
    topic,
    partition,
    clock: {
      maxTimeMs: watermarkMs + DELAY_MS,
      idleWatermarkMs: -Infinity,
      ended: watermarkMs === Infinity,
      seen: [],
    },
    views: {},
  };
  return encodePartitionBlob({ version: 1, idle: null, engine });
}

/**
 * One processor instance of a job owning `partitions`; each commit publishes rows and sets watermarks.
 * With `groups` commit groups (io/commit-groups.ts), its partitions must all be of one group.
 */
export class FakeInstance {
  private readonly committer: CommitGroups;
  private readonly group: number;
  readonly completer: Completer;
  private recovered = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly job: JobName,
    writerId: string,
    private readonly partitions: readonly PartitionRef[],
    {
      flushIntervalMs = 0,
      nowMs = Date.now,
      groups = 1,
    }: { flushIntervalMs?: number; nowMs?: () => number; groups?: number } = {},
  ) {
    this.committer = new CommitGroups(store, { job, writerId, minRetentionMs: 0, groups });
    const ofGroups = new Set(partitions.map(({ partition }) => this.committer.groupOf(partition)));
    if (ofGroups.size > 1) throw new Error(`FakeInstance: partitions of groups ${[...ofGroups]}`);
    this.group = [...ofGroups][0] ?? 0;
    this.completer = new Completer(store, this.committer, {
      job,
      views: JOB_VIEWS[job],
      layout: DEFAULT_LAYOUT,
      partitions: PARTITIONS,
      writerId,
      flushIntervalMs,
      watermarkDelayMs: DELAY_MS,
      processorVersion: 'test',
      nowMs,
    });
  }

  /** Commits the rows (partial rows, as the engine drains them) with every owned partition at `watermarkMs`. */
  /**
   * `complete: false` leaves the completion round to the caller; `deadLetters` are the commit's rejections,
   * `archive` its pending archive lines by topic.
   */
  async commit(
    watermarkMs: number | ((ref: PartitionRef) => number),
    rowsByView: Record<string, ViewRow[]> = {},
    {
      complete = true,
      deadLetters = [],
      archive,
    }: {
      complete?: boolean;
      deadLetters?: readonly DeadLetter[];
      archive?: ReadonlyMap<string, readonly string[]>;
    } = {},
  ): Promise<void> {
    if (!this.recovered) await this.committer.recover(this.partitions);
    this.recovered = true;
    const wmOf = typeof watermarkMs === 'number' ? () => watermarkMs : watermarkMs;
    const snapshots: CheckpointPartition[] = this.partitions.map((ref) => ({
      ...ref,
      nextOffset: 1,
      state: blobWithWatermark(this.job, ref.topic, ref.partition, wmOf(ref)),
      watermarkMs: wmOf(ref),
    }));
    const rows = new Map(Object.entries(rowsByView));
    const files = commitOutputFiles(
      JOB_VIEWS[this.job],
      rows,
      { rejections: deadLetters, gaps: [], ...(archive && { archive: ndjsonBodies(archive) }) },
      DEFAULT_LAYOUT,
    );
    const [result] = await this.committer.commitVisible([{ group: this.group, snapshots, files }]);
    await this.committer.tidied();
    this.completer.ownRows(this.group, result!.commit, rows, result!.published);
    if (complete) await this.completer.round();
  }
}

/** Lines by topic as the NDJSON bodies a commit writes. */
function ndjsonBodies(lines: ReadonlyMap<string, readonly string[]>): Map<string, Buffer> {
  return new Map(
    [...lines].map(([topic, list]) => [topic, Buffer.from(list.map((line) => `${line}\n`).join(''))]),
  );
}

export const refs = (topic: string, ...partitions: number[]): PartitionRef[] =>
  partitions.map((partition) => ({ topic, partition }));

/** A row of auth_realtime_failed_logins for the minute starting at `startHhmm`. */
export function failedRow(startHhmm: string, user: string, attempts: number): ViewRow {
  const startMs = at(startHhmm);
  return {
    window_start: startMs,
    window_end: startMs + 60_000,
    user_id: user,
    failed_attempts: attempts,
    distinct_ips: 1,
    suspected_brute_force: attempts >= 5,
  };
}

/** A partial (or complete) row of auth_realtime_login_rate for the minute starting at `startHhmm`. */
export function loginRow(startHhmm: string, successes: number, failures: number): ViewRow {
  const startMs = at(startHhmm);
  const attempts = successes + failures;
  return {
    window_start: startMs,
    window_end: startMs + 60_000,
    login_attempts: attempts,
    login_successes: successes,
    login_failures: failures,
    success_rate: attempts === 0 ? null : successes / attempts,
  };
}
