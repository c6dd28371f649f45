/**
 * The commit log of one job: checkpoint objects `checkpoints/speed/<job>_stream/commits/<N>.ckpt`, one per
 * commit, numbered 1, 2, 3... without gaps, shared by every instance of the job. An instance appends
 * commit N = latest + 1 with a conditional put, so the numbers give one total order of all commits and the
 * newest state of a partition is the one in the highest-numbered commit that holds it.
 */
import { commitKey, commitOfKey, commitsPrefix, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore, PutIfAbsentResult } from '../../storage/object-store.ts';
import { decodeCheckpoint, type Checkpoint, type StagedFile } from './checkpoint-codec.ts';
import { LogFreshness } from './log-freshness.ts';
import { IO_CONCURRENCY, forEachLimit, type CommittedFiles } from './publish.ts';
import { StorageError } from '../../storage/storage-error.ts';

/** Listings in one sync while commits vanish under it (each needs a newer commit: pruning is finite). */
const MAX_LISTINGS = 20;

export interface CommitSummary {
  commit: number;
  writerId: string;
  createdAtMs: number;
  /** `topic:partition` of every partition the commit holds state for. */
  partitions: ReadonlySet<string>;
  /** `topic:partition` → the chain's base commit, for partitions whose state here is incremental. */
  chainBases: ReadonlyMap<string, number>;
  /** `topic:partition` → wm(p) as of this commit, for partitions whose header carries it. */
  watermarks: ReadonlyMap<string, number>;
  files: readonly StagedFile[];
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

function summarize(checkpoint: Checkpoint): CommitSummary {
  const { commit, writerId, createdAtMs, files } = checkpoint;
  const partitions = new Set(checkpoint.partitions.map((p) => partitionKey(p.topic, p.partition)));
  const chainBases = new Map<string, number>();
  const watermarks = new Map<string, number>();
  for (const { topic, partition, baseCommit, watermarkMs } of checkpoint.partitions) {
    if (baseCommit !== undefined) chainBases.set(partitionKey(topic, partition), baseCommit);
    if (watermarkMs !== undefined) watermarks.set(partitionKey(topic, partition), watermarkMs);
  }
  return { commit, writerId, createdAtMs, partitions, chainBases, watermarks, files };
}

/** Told about every commit the log reads or appends, once per sighting (completion absorbs its files). */
export type CommitListener = (summary: CommitSummary) => void;

export class CommitLog implements CommittedFiles {
  /** Summaries of the commits in the store as last seen, by number. */
  private readonly summaries = new Map<number, CommitSummary>();
  private readonly listeners: CommitListener[] = [];
  latestCommit = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
    private readonly job: string,
    /** Half the pruning's minimum retention (io/log-freshness.ts). */
    private readonly freshness = new LogFreshness(15_000),
  ) {}

  /** Whether `latestCommit` is recent enough to append after it without listing the log again. */
  get fresh(): boolean {
    return this.freshness.fresh;
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  private remember(summary: CommitSummary): void {
    this.summaries.set(summary.commit, summary);
    for (const listener of this.listeners) listener(summary);
  }

  /**
   * Lists the log and reads every commit above the newest one seen before; returns those, oldest first.
   * A commit pruned between the listing and its read has a newer one holding its partitions, which the
   * listing may predate: the log is listed again then.
   */
  async sync(): Promise<Checkpoint[]> {
    const fresh: Checkpoint[] = [];
    for (let vanished = true, listings = 0; vanished; listings++) {
      if (listings === MAX_LISTINGS)
        throw new StorageError(
          'missing_file',
          `commits of ${this.job} keep vanishing between list and read`,
          {
            retryable: true,
          },
        );
      vanished = false;
      const listedAtMs = this.freshness.now();
      const listed = (await this.store.list(commitsPrefix(this.layout, this.job)))
        .map((key) => commitOfKey(this.layout, this.job, key))
        .filter((commit): commit is number => commit !== undefined)
        .sort((a, b) => a - b);
      const present = new Set(listed);
      // Gone: pruned. A commit above the listing's newest was appended (or read by another sync of this
      // log, e.g. completion's) after this listing: it stays.
      const newestListed = listed.at(-1) ?? 0;
      for (const commit of this.summaries.keys())
        if (commit <= newestListed && !present.has(commit)) this.summaries.delete(commit);
      // Read in parallel: with k writers, k − 1 commits arrive per interval, and reading them one by one
      // widens the window between this listing and the conditional put (more conflicts as k grows).
      const unread = listed.filter((commit) => commit > this.latestCommit || !this.summaries.has(commit));
      const read = new Map<number, Checkpoint | undefined>();
      await forEachLimit(unread, IO_CONCURRENCY, async (commit) => read.set(commit, await this.read(commit)));
      for (const commit of unread) {
        const checkpoint = read.get(commit);
        if (checkpoint === undefined) {
          vanished = true;
          continue;
        }
        this.remember(summarize(checkpoint));
        if (commit > this.latestCommit) fresh.push(checkpoint);
      }
      this.latestCommit = Math.max(this.latestCommit, listed.at(-1) ?? 0);
      this.freshness.knewAt(listedAtMs);
    }
    return fresh.sort((a, b) => a.commit - b.commit);
  }

  async read(commit: number): Promise<Checkpoint | undefined> {
    const key = commitKey(this.layout, this.job, commit);
    const bytes = await this.store.get(key);
    return bytes === undefined ? undefined : await decodeCheckpoint(key, bytes);
  }

  /** Writes the checkpoint of `checkpoint.commit` unless that number is taken (the fencing point). */
  async append(checkpoint: Checkpoint, bytes: Uint8Array): Promise<PutIfAbsentResult> {
    const startedAtMs = this.freshness.now();
    const result = await this.store.putIfAbsent(commitKey(this.layout, this.job, checkpoint.commit), bytes);
    if (result === 'created') {
      this.remember(summarize(checkpoint));
      this.latestCommit = Math.max(this.latestCommit, checkpoint.commit);
      this.freshness.knewAt(startedAtMs);
    }
    return result;
  }

  /** The highest-numbered known commit holding the partition (up to `throughCommit`). */
  newestHolding(partition: string, throughCommit = Infinity): number | undefined {
    let newest: number | undefined;
    for (const [commit, summary] of this.summaries) {
      if (commit > throughCommit || !summary.partitions.has(partition)) continue;
      if (newest === undefined || commit > newest) newest = commit;
    }
    return newest;
  }

  /**
   * wm(p) from the newest known commit holding p, up to `throughCommit` (completion bounds it by the
   * commits whose rows it has read); undefined when none does (or its header has none).
   */
  watermarkOf(partition: string, throughCommit = Infinity): number | undefined {
    const newest = this.newestHolding(partition, throughCommit);
    return newest === undefined ? undefined : this.summaries.get(newest)!.watermarks.get(partition);
  }

  /** The writers of the known commits created at or after `sinceMs` (their own clocks). */
  writersSince(sinceMs: number): Set<string> {
    const writers = new Set<string>();
    for (const summary of this.summaries.values())
      if (summary.createdAtMs >= sinceMs) writers.add(summary.writerId);
    return writers;
  }

  filesOf(commit: number): readonly StagedFile[] | undefined {
    return this.summaries.get(commit)?.files;
  }

  /**
   * Deletes commits no restore can need: older than the newest `keepCommits` and than `minRetentionMs`,
   * and every partition they hold is held by a newer commit (so the newest state of a partition that
   * nobody has committed for a while is never pruned) and lies before the chain its newest state needs
   * (an incremental state is restored from its base commit and every later commit holding the partition).
   * Returns the pruned numbers.
   */
  async prune(keepCommits: number, minRetentionMs: number, nowMs: number): Promise<number[]> {
    const newestFirst = [...this.summaries.values()].sort((a, b) => b.commit - a.commit);
    /** partition → the oldest commit its newest state needs (itself when self-contained). */
    const neededFrom = new Map<string, number>();
    const prunable: number[] = [];
    newestFirst.forEach((summary, rank) => {
      const old = rank >= keepCommits && nowMs - summary.createdAtMs >= minRetentionMs;
      const unneeded = (p: string): boolean => summary.commit < (neededFrom.get(p) ?? -Infinity);
      if (old && [...summary.partitions].every(unneeded)) prunable.push(summary.commit);
      for (const p of summary.partitions) {
        if (!neededFrom.has(p)) neededFrom.set(p, summary.chainBases.get(p) ?? summary.commit);
      }
    });
    await this.store.deleteMany(prunable.map((commit) => commitKey(this.layout, this.job, commit)));
    for (const commit of prunable) this.summaries.delete(commit);
    return prunable;
  }
}
