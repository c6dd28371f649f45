/**
 * A job's commit logs: one per fixed partition group (group of partition p = p mod G, every topic of the
 * job alike), each with the protocol of io/commit.ts. Writers race only on the logs of the groups whose
 * partitions they hold, so k instances no longer serialise on one sequence (docs/storage.md "Commit
 * groups"). G = 1 is the original layout: one log, `<job>_stream/commits/`. G > 1 gives group g the log of
 * the stream `<job>.g<g>`: `<job>_stream/g<g>/commits/` (and its staging), files `<dir>/<job>.g<g>-<N>.<ext>`.
 *
 * G is fixed for the job's life: its partitions' states live in their group's log. The first start
 * records it (`<job>_stream/commit-groups.json`); a start with another G is refused, naming both.
 */
import { randomBytes } from 'node:crypto';
import { partitionKey, type CommitSummary } from './checkpoint-store.ts';
import type { CheckpointPartition, StagedFile } from './checkpoint-codec.ts';
import {
  JobCommitter,
  type CommitResult,
  type CommitterOptions,
  type PartitionRef,
  type RestoredPartition,
} from './commit.ts';
import {
  commitsPrefix,
  jobPrefix,
  DEFAULT_LAYOUT,
  type OutputFile,
  type StorageLayout,
} from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { StorageError, isStorageError } from '../../storage/storage-error.ts';

/** The name of group `group`'s commit stream (its log, staging and file names). */
export function groupStream(job: string, group: number, groups: number): string {
  return groups === 1 ? job : `${job}.g${group}`;
}

export function groupOfPartition(partition: number, groups: number): number {
  return partition % groups;
}

export function commitGroupsKey(layout = DEFAULT_LAYOUT, job: string): string {
  return `${jobPrefix(layout, job)}commit-groups.json`;
}

/** One group's part of a commit: the state of its changed partitions and the files they produced. */
export interface GroupWrite {
  group: number;
  snapshots: readonly CheckpointPartition[];
  files: readonly OutputFile[];
}

export interface GroupResult extends CommitResult {
  group: number;
}

export type GroupCommitListener = (group: number, summary: CommitSummary) => void;

export class CommitGroups {
  readonly job: string;
  readonly groups: number;
  readonly writerId: string;
  private readonly committers: JobCommitter[];
  private checked: Promise<void> | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: CommitterOptions & { groups: number },
  ) {
    const { job, groups } = options;
    if (!Number.isSafeInteger(groups) || groups < 1)
      throw new Error(`commit groups must be a whole number >= 1, got ${groups}`);
    this.job = job;
    this.groups = groups;
    // One writer id across the groups: fencing and staging name the instance, not the log.
    this.writerId = options.writerId ?? randomBytes(4).toString('hex');
    this.committers = Array.from(
      { length: groups },
      (_, group) =>
        new JobCommitter(store, {
          ...options,
          job: groupStream(job, group, groups),
          writerId: this.writerId,
        }),
    );
  }

  groupOf(partition: number): number {
    return groupOfPartition(partition, this.groups);
  }

  private of(partition: number): JobCommitter {
    return this.committers[this.groupOf(partition)]!;
  }

  /** Partitions split by group, only the groups holding some. */
  private byGroup<T extends PartitionRef>(partitions: readonly T[]): Map<number, T[]> {
    const split = new Map<number, T[]>();
    for (const ref of partitions) {
      const group = this.groupOf(ref.partition);
      split.set(group, [...(split.get(group) ?? []), ref]);
    }
    return split;
  }

  /** Recovers each group's partitions from its log (in parallel); see JobCommitter.recover. */
  async recover(partitions: readonly PartitionRef[]): Promise<Map<string, RestoredPartition>> {
    this.checked ??= this.checkGroups();
    await this.checked.catch((error: unknown) => {
      this.checked = undefined;
      throw error;
    });
    const restored = new Map<string, RestoredPartition>();
    const parts = await allOrFirstError(
      [...this.byGroup(partitions)].map(([group, refs]) => this.committers[group]!.recover(refs)),
    );
    for (const part of parts) for (const [key, value] of part) restored.set(key, value);
    return restored;
  }

  release(partitions: readonly PartitionRef[]): void {
    for (const [group, refs] of this.byGroup(partitions)) this.committers[group]!.release(refs);
  }

  readPartition(commit: number, ref: PartitionRef): Promise<RestoredPartition> {
    return this.of(ref.partition).readPartition(commit, ref);
  }

  /**
   * Commits each group's part in its own log, all at once; resolves once every part is visible. Fenced in
   * any group, it throws 'fenced' (the parts committed elsewhere stand: a reset restores them).
   */
  async commitVisible(writes: readonly GroupWrite[]): Promise<GroupResult[]> {
    return allOrFirstError(
      writes.map(async ({ group, snapshots, files }) => ({
        group,
        ...(await this.committers[group]!.commitVisible(snapshots, files)),
      })),
    );
  }

  /** Waits for every group's tidy-up; rethrows the first error. */
  async tidied(): Promise<void> {
    await allOrFirstError(this.committers.map((committer) => committer.tidied()));
  }

  /**
   * Reads what other writers committed to the groups' logs since the last look (completion needs every
   * partition's newest watermark). One log is read by every commit already; several are each read here.
   */
  async refresh(): Promise<void> {
    if (this.groups === 1) return;
    await allOrFirstError(this.committers.map((committer) => committer.refresh()));
  }

  onCommit(listener: GroupCommitListener): void {
    this.committers.forEach((committer, group) => committer.onCommit((summary) => listener(group, summary)));
  }

  filesOf(group: number, commit: number): readonly StagedFile[] | undefined {
    return this.committers[group]!.filesOf(commit);
  }

  /** The newest commit number seen in each group's log. */
  get latestCommits(): number[] {
    return this.committers.map((committer) => committer.latestCommit);
  }

  /** wm(p) as of the newest commit seen holding p in its group's log, up to `through[group]`. */
  watermarkOf(topic: string, partition: number, through?: readonly number[]): number | undefined {
    const group = this.groupOf(partition);
    return this.committers[group]!.watermarkOf(partitionKey(topic, partition), through?.[group]);
  }

  /** The most writers seen on any one of the logs lately, this one included (io/commit.ts). */
  activeWriters(nowMs?: number): number {
    return Math.max(...this.committers.map((committer) => committer.activeWriters(nowMs)));
  }

  /**
   * Records G on the first start; refuses another G, and G > 1 over checkpoints of the one-log layout
   * (their partitions' states would not be found).
   */
  private async checkGroups(): Promise<void> {
    const layout = this.options.layout ?? DEFAULT_LAYOUT;
    const key = commitGroupsKey(layout, this.job);
    for (;;) {
      const bytes = await this.store.get(key);
      if (bytes !== undefined) {
        const recorded = recordedGroups(key, bytes);
        if (recorded === this.groups) return;
        throw refused(
          `job ${this.job} keeps its checkpoints in ${recorded} commit group(s) (${key}); this instance was started with ${this.groups}`,
        );
      }
      if (this.groups > 1 && (await this.store.list(commitsPrefix(layout, this.job))).length > 0)
        throw refused(
          `job ${this.job} has checkpoints in one commit log (${commitsPrefix(layout, this.job)}); this instance was started with ${this.groups} commit groups`,
        );
      const body = Buffer.from(`${JSON.stringify({ job: this.job, commitGroups: this.groups })}\n`);
      if ((await this.store.putIfAbsent(key, body)) === 'created') return;
    }
  }
}

/** The job's commit groups as recorded by its first start; 1 when none is (the one-log layout, or no start yet). */
export async function readCommitGroups(
  store: ObjectStore,
  layout: StorageLayout,
  job: string,
): Promise<number> {
  const key = commitGroupsKey(layout, job);
  const bytes = await store.get(key);
  return bytes === undefined ? 1 : recordedGroups(key, bytes);
}

function recordedGroups(key: string, bytes: Buffer): number {
  try {
    const groups = (JSON.parse(bytes.toString('utf8')) as { commitGroups?: unknown }).commitGroups;
    if (typeof groups === 'number' && Number.isSafeInteger(groups) && groups >= 1) return groups;
    throw new Error(`commitGroups is ${JSON.stringify(groups)}`);
  } catch (error) {
    throw new StorageError('corrupt_checkpoint', `${key} is unreadable`, { cause: error });
  }
}

function refused(what: string): StorageError {
  return new StorageError(
    'unsupported_version',
    `${what}. Start it with the recorded number (setting commitGroups, COMMIT_GROUPS), or from a new checkpoints prefix.`,
  );
}

/** Every promise settled; the results, or the first error (a fence before any other error). */
async function allOrFirstError<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed.length > 0) {
    const fence = failed.find((s) => isStorageError(s.reason, 'fenced'));
    throw (fence ?? failed[0]!).reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
