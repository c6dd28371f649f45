/**
 * The exactly-once commit protocol of docs/contract/semantics.md, engine-agnostic. Per commit: (a) stage the output
 * files under `staging/<N>-<writer>/`, (b) write checkpoint N last with a conditional put, (c) publish the
 * staged files under names derived from N, (d) delete staging (in the background: the files are visible
 * after (c)). On start or adoption: restore each
 * partition from the newest commit holding it, publish committed-but-unpublished files, delete staging
 * that no commit references. Several instances share one log; a writer that finds commits by others
 * holding its partitions is fenced (StorageError 'fenced'). Design and failure cases: docs/storage.md.
 */
import { randomBytes } from 'node:crypto';
import { encodeCheckpoint, type CheckpointPartition, type StagedFile } from './checkpoint-codec.ts';
import { LogFreshness } from './log-freshness.ts';
import { CommitLog, partitionKey, type CommitListener, type CommitSummary } from './checkpoint-store.ts';
import {
  DEFAULT_LAYOUT,
  finalKey,
  stagingDir,
  stagingRoot,
  type OutputFile,
  type StorageLayout,
} from '../../storage/layout.ts';
import type { ObjectStore, PutIfAbsentResult } from '../../storage/object-store.ts';
import { IO_CONCURRENCY, copyStaged, forEachLimit, settleStaging } from './publish.ts';
import { StorageError } from '../../storage/storage-error.ts';

export interface CommitterOptions {
  job: string;
  layout?: StorageLayout;
  /** Names this writer's staging and checkpoints; default a random id per committer. */
  writerId?: string;
  /** Commits always kept, newest first; default 5. */
  keepCommits?: number;
  /** Commits younger than this are never pruned (see docs/storage.md, "stale writer"); default 30 s. */
  minRetentionMs?: number;
  nowMs?: () => number;
  /** Told about each conditional put and each fence (the protocol's metrics, docs/storage.md). */
  observer?: CommitObserver;
  /** Waits before retrying after `losses` lost races in a row; default `conflictBackoff`. */
  backoff?: (losses: number) => Promise<void>;
}

/** What the protocol does per attempt, for metrics; called synchronously, must not throw. */
export interface CommitObserver {
  /** A conditional put of checkpoint N: `exists` when another writer had taken N (a conflict). */
  attempted(outcome: PutIfAbsentResult, stagedBytes: number): void;
  /** A commit refused because another writer committed a partition this one held. */
  fenced(): void;
}

export interface PartitionRef {
  topic: string;
  partition: number;
}

export interface RestoredPartition extends CheckpointPartition {
  /** The commit the state was read from. */
  commit: number;
}

export interface CommitResult {
  commit: number;
  /** Final keys of the published files. */
  published: string[];
  checkpointBytes: number;
  /** Conditional puts tried (more than 1 when other instances committed in between). */
  attempts: number;
  /** Conditional puts that found their number taken (attempts − 1). */
  conflicts: number;
  /** Bytes staged by the attempts that lost, staged again under the next number. */
  restagedBytes: number;
  /** From the first listing to the files visible. */
  durationMs: number;
}

const MAX_ATTEMPTS = 100;
/** How far back a writer counts as active on the log (by default pruning keeps every commit this young). */
const ACTIVE_WINDOW_MS = 30_000;
/** First wait after a lost race; doubles per further loss, up to the cap. */
const BACKOFF_BASE_MS = 20;
const BACKOFF_CAP_MS = 1_000;

/**
 * Waits a random time before retrying a lost race (full jitter, growing with the losses). Losers that
 * retried at once collided again with each other and with the next commits: past a few commits per second
 * on one log, the retries alone kept it saturated (BENCHMARKS.md §6).
 */
export function conflictBackoff(losses: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * backoffCapMs(losses)));
}

/** The longest wait after `losses` lost races in a row. */
export function backoffCapMs(losses: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (losses - 1));
}

export class JobCommitter {
  readonly job: string;
  readonly writerId: string;
  private readonly layout: StorageLayout;
  private readonly keepCommits: number;
  private readonly minRetentionMs: number;
  private readonly nowMs: () => number;
  private readonly log: CommitLog;
  private readonly observer: CommitObserver | undefined;
  private readonly backoff: (losses: number) => Promise<void>;
  private readonly owned = new Set<string>();
  /** Owned partitions another writer committed, as read from the log: a fence for the next commit. */
  private readonly lost = new Map<string, string>();
  /** False until recover() ran, and again after a commit failed half-way (publish must be redone). */
  private recovered = false;
  /** The last commit's tidy-up: resolves to its error, or undefined. */
  private tidying: Promise<unknown> = Promise.resolve(undefined);

  constructor(
    private readonly store: ObjectStore,
    options: CommitterOptions,
  ) {
    this.job = options.job;
    this.writerId = options.writerId ?? randomBytes(4).toString('hex');
    this.layout = options.layout ?? DEFAULT_LAYOUT;
    this.keepCommits = options.keepCommits ?? 5;
    this.minRetentionMs = options.minRetentionMs ?? 30_000;
    this.nowMs = options.nowMs ?? Date.now;
    this.observer = options.observer;
    this.backoff = options.backoff ?? conflictBackoff;
    if (!/^[A-Za-z0-9_.]+$/.test(this.writerId)) {
      throw new Error(
        `JobCommitter: writerId must match [A-Za-z0-9_.]+, got ${JSON.stringify(this.writerId)}`,
      );
    }
    if (this.keepCommits < 1)
      throw new Error(`JobCommitter: keepCommits must be >= 1, got ${this.keepCommits}`);
    this.log = new CommitLog(store, this.layout, this.job, new LogFreshness(this.minRetentionMs / 2));
    // Whoever reads a commit (a commit's own listing, or `refresh`), a partition it takes from us is lost.
    this.log.onCommit((summary) => this.noteOthers(summary));
  }

  /**
   * Takes ownership of `partitions` (on start or when a rebalance assigns them) and returns the committed
   * state of those that have one; the others start fresh. Also finishes any interrupted publish.
   */
  async recover(partitions: readonly PartitionRef[]): Promise<Map<string, RestoredPartition>> {
    await this.tidied().catch(() => undefined); // no report needed: recovery settles staging itself
    for (const { topic, partition } of partitions) this.lost.delete(partitionKey(topic, partition)); // read anew
    await this.syncOrFence();
    await settleStaging(this.store, stagingRoot(this.layout, this.job), this.log);
    const restored = new Map<string, RestoredPartition>();
    for (const { topic, partition } of partitions) {
      const key = partitionKey(topic, partition);
      this.owned.add(key);
      const newest = await this.newestState({ topic, partition });
      if (newest !== undefined) restored.set(key, newest);
    }
    this.recovered = true;
    return restored;
  }

  /**
   * The partition's state in the newest commit holding it. That commit is pruned only once a newer one
   * holds the partition (its previous owner's last commit, landing during the rebalance): the log is
   * then listed again for it.
   */
  private async newestState({ topic, partition }: PartitionRef): Promise<RestoredPartition | undefined> {
    for (let attempt = 1; ; attempt++) {
      const commit = this.log.newestHolding(partitionKey(topic, partition));
      if (commit === undefined) return undefined;
      const checkpoint = await this.log.read(commit);
      const snapshot = checkpoint?.partitions.find((p) => p.topic === topic && p.partition === partition);
      if (snapshot !== undefined) return { ...snapshot, commit };
      if (attempt === MAX_ATTEMPTS)
        throw new StorageError('missing_file', `commit ${commit} of ${this.job} vanished during restore`, {
          retryable: true,
        });
      await this.log.sync();
    }
  }

  /**
   * The state of one partition held by an older commit (the links of an incremental chain). Pruning keeps
   * every commit a chain needs; a missing one is reported, never skipped.
   */
  async readPartition(commit: number, { topic, partition }: PartitionRef): Promise<RestoredPartition> {
    const checkpoint = await this.log.read(commit);
    const snapshot = checkpoint?.partitions.find((p) => p.topic === topic && p.partition === partition);
    if (snapshot === undefined) {
      throw new StorageError(
        'missing_file',
        `commit ${commit} of ${this.job} ${checkpoint === undefined ? 'is gone' : 'does not hold'} ` +
          `${topic}-${partition}, which a newer incremental state needs`,
      );
    }
    return { ...snapshot, commit };
  }

  /** Tells `listener` about every commit this writer reads or appends (completion absorbs their files). */
  onCommit(listener: CommitListener): void {
    this.log.onCommit(listener);
  }

  /**
   * Reads the commits added to the log since the last look (completion reads other writers' commits
   * between this writer's own). One that took a partition of ours fences the next commit.
   */
  async refresh(): Promise<void> {
    await this.log.sync();
  }

  /** The staged → final files of a commit in the log as last read (undefined: pruned, or not read yet). */
  filesOf(commit: number): readonly StagedFile[] | undefined {
    return this.log.filesOf(commit);
  }

  /** The newest commit number seen in the log. */
  get latestCommit(): number {
    return this.log.latestCommit;
  }

  /** wm(p) as of the newest commit seen holding `topic:partition` (up to `throughCommit`); undefined when none does. */
  watermarkOf(partition: string, throughCommit?: number): number | undefined {
    return this.log.watermarkOf(partition, throughCommit);
  }

  /**
   * Writers that committed in the last 30 s as this writer saw the log, itself included: how many
   * instances share the log (the commit schedule spaces commits out by it).
   */
  activeWriters(nowMs = this.nowMs()): number {
    const writers = this.log.writersSince(nowMs - ACTIVE_WINDOW_MS);
    writers.add(this.writerId);
    return writers.size;
  }

  /** Gives partitions up (a rebalance revoked them); their last commit stays for the next owner. */
  release(partitions: readonly PartitionRef[]): void {
    for (const { topic, partition } of partitions) this.owned.delete(partitionKey(topic, partition));
  }

  /** Commits the snapshots of owned partitions and publishes `files`; one checkpoint object per call. */
  async commit(
    snapshots: readonly CheckpointPartition[],
    files: readonly OutputFile[],
  ): Promise<CommitResult> {
    const result = await this.commitVisible(snapshots, files);
    await this.tidied();
    return result;
  }

  /**
   * As `commit`, but returns as soon as the checkpoint is durable and the files are visible under their
   * final keys; the tidy-up (deleting the staging copies, pruning old commits, clearing staging of lost
   * attempts) goes on in the background. The next commit waits for it; `tidied()` does too.
   */
  async commitVisible(
    snapshots: readonly CheckpointPartition[],
    files: readonly OutputFile[],
  ): Promise<CommitResult> {
    await this.tidied();
    const startedMs = performance.now();
    this.throwIfFenced(); // a commit read since (by `refresh`) took partitions of ours
    if (!this.recovered) throw new Error(`JobCommitter(${this.job}): call recover() before commit()`);
    for (const { topic, partition } of snapshots) {
      if (!this.owned.has(partitionKey(topic, partition))) {
        throw new Error(
          `JobCommitter(${this.job}): partition ${topic}-${partition} is not owned; recover() it first`,
        );
      }
    }
    const targets = new Set(files.map((file) => `${file.dir}/*.${file.extension}`));
    if (targets.size !== files.length)
      throw new Error(`JobCommitter(${this.job}): two output files share a directory and extension`);

    const stagedBytes = files.reduce((sum, file) => sum + file.body.length, 0);
    let restagedBytes = 0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      // Number N = latest + 1 from a fresh listing: a writer that trusted its own last commit could take a
      // number another writer has since used and pruned. Reading the new commits also fences a zombie.
      await this.syncOrFence();
      const commit = this.log.latestCommit + 1;
      const staged = this.stage(commit, files);
      await forEachLimit(staged, IO_CONCURRENCY, ({ staging, body }) => this.store.put(staging, body));
      const checkpoint = {
        job: this.job,
        commit,
        writerId: this.writerId,
        createdAtMs: this.nowMs(),
        partitions: [...snapshots],
        files: staged.map(({ staging, final }): StagedFile => ({ staging, final })),
      };
      const bytes = await encodeCheckpoint(checkpoint);
      if (!(await this.stillNext(commit, staged))) {
        this.observer?.attempted('exists', stagedBytes);
        restagedBytes += stagedBytes;
        continue;
      }
      // A `refresh` may have read a commit taking our partitions since the listing: no await from here to
      // the put, so any commit it read is either seen here or numbered at or after ours (our put fails).
      this.throwIfFenced();
      const outcome = await this.log.append(checkpoint, bytes);
      this.observer?.attempted(outcome, stagedBytes);
      if (outcome === 'created') {
        await this.publish(checkpoint.files);
        this.tidying = this.tidyUp(checkpoint.files).then(
          () => undefined,
          (error: unknown) => error,
        );
        const published = checkpoint.files.map((file) => file.final);
        return {
          commit,
          published,
          checkpointBytes: bytes.length,
          attempts: attempt,
          conflicts: attempt - 1,
          restagedBytes,
          durationMs: performance.now() - startedMs,
        };
      }
      // Another instance took number N: drop our attempt and retry (the next sync reads what it committed).
      await this.store.deleteMany(staged.map((file) => file.staging));
      restagedBytes += stagedBytes;
      await this.backoff(attempt);
    }
    throw new StorageError(
      'unavailable',
      `JobCommitter(${this.job}): no free commit number after ${MAX_ATTEMPTS} attempts`,
      { retryable: true },
    );
  }

  private stage(commit: number, files: readonly OutputFile[]): (StagedFile & { body: Uint8Array })[] {
    const dir = stagingDir(stagingRoot(this.layout, this.job), commit, this.writerId);
    return files.map((file) => {
      const final = finalKey(file, this.job, commit);
      return { staging: `${dir}${final}`, final, body: file.body };
    });
  }

  /** Waits for the tidy-up of the last commit; rethrows its error (once). */
  async tidied(): Promise<void> {
    const error = await this.tidying;
    this.tidying = Promise.resolve(undefined);
    if (error !== undefined) throw error;
  }

  /** Step (d), then pruning; staging of attempts at numbers now taken (crashed or losing writers) goes too. */
  private async tidyUp(files: readonly StagedFile[]): Promise<void> {
    await this.store.deleteMany(files.map((file) => file.staging));
    await this.log.prune(this.keepCommits, this.minRetentionMs, this.nowMs());
    await settleStaging(this.store, stagingRoot(this.layout, this.job), this.log);
  }

  private async publish(files: readonly StagedFile[]): Promise<void> {
    try {
      await copyStaged(this.store, files);
    } catch (error) {
      this.recovered = false; // the commit stands; recover() publishes it before anything else is committed
      throw error;
    }
  }

  /**
   * Whether `commit` is still the next number once staging is done. Staging that took longer than the
   * log's view stays fresh lists the log again (io/log-freshness.ts), which may also fence us; a number
   * taken meanwhile drops the attempt.
   */
  private async stillNext(commit: number, staged: readonly StagedFile[]): Promise<boolean> {
    if (this.log.fresh) return true;
    try {
      await this.syncOrFence();
    } finally {
      if (this.log.latestCommit + 1 !== commit)
        await this.store.deleteMany(staged.map((file) => file.staging));
    }
    return this.log.latestCommit + 1 === commit;
  }

  /** Reads new commits; if another writer committed a partition we own, we are a zombie: fence. */
  private async syncOrFence(): Promise<void> {
    await this.log.sync();
    this.throwIfFenced();
  }

  private noteOthers({ writerId, commit, partitions }: CommitSummary): void {
    if (writerId === this.writerId) return;
    for (const key of partitions)
      if (this.owned.delete(key)) this.lost.set(key, `${key} (commit ${commit} by writer ${writerId})`);
  }

  private throwIfFenced(): void {
    if (this.lost.size === 0) return;
    const lost = [...this.lost.values()];
    this.lost.clear();
    this.recovered = false;
    this.observer?.fenced();
    throw new StorageError(
      'fenced',
      `job ${this.job}, writer ${this.writerId}: another writer committed partitions this writer held: ${lost.join(', ')}; ` +
        `their state here is stale, recover() them again if they are still assigned`,
    );
  }
}
