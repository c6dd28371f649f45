/**
 * The completion log of one job: `checkpoints/speed/<job>_stream/completions/<M>.json`, numbered 1, 2, 3…
 * and shared by every instance, like the commit log. Completion M publishes the complete rows of every
 * (window, key) whose completion time lies in (completedThrough of M−1, completedThrough of M]; the
 * conditional put on M is what makes exactly one writer publish each range. A record also says which
 * commits' partial files may still hold rows not yet complete (from `pendingFromCommit` on), so a
 * restarted writer knows what to read again.
 */
import {
  completionKey,
  completionOfKey,
  completionsPrefix,
  type StorageLayout,
} from '../../storage/layout.ts';
import type { ObjectStore, PutIfAbsentResult } from '../../storage/object-store.ts';
import { StorageError } from '../../storage/storage-error.ts';
import type { StagedFile } from './checkpoint-codec.ts';
import { LogFreshness } from './log-freshness.ts';
import type { CommittedFiles } from './publish.ts';

export interface CompletionRecord {
  job: string;
  completion: number;
  writerId: string;
  createdAtMs: number;
  /** W when the completion was made: every row complete at or before it is published by now. */
  completedThroughMs: number;
  /**
   * The newest commit whose partial rows the completion had read. A job with several commit groups
   * (io/commit-groups.ts) has one number per group's log here and in the two fields below.
   */
  coveredCommit: GroupNumbers;
  /** Partial files of commits below this hold only rows complete by `completedThroughMs`. */
  pendingFromCommit: GroupNumbers;
  /** Dead letters of commits up to this one are gathered in the dead-letter tree (io/pending-records.ts). */
  recordsThroughCommit?: GroupNumbers;
  /** Complete-row files: staged copy → final key under the views tree (compactions' merged files too). */
  files: StagedFile[];
  /** Closed dates merged into one file each: the merged file is one of `files`, not a new row. */
  compactions?: CompactionPlan[];
}

/** Where a compaction's files live: the views tree (the default), the raw archive, or the dead letters. */
export type CompactionTree = 'views' | 'raw' | 'dead_letter';

/**
 * Files of one date of one table merged into one: a Delta table (views, raw archive) swaps them in one
 * version; the dead-letter tree has no table, its readers keep each Kafka position once.
 */
export interface CompactionPlan {
  /** Absent in records written before the record trees were compacted: the views tree. */
  tree?: CompactionTree;
  /** The view, or the topic in the record trees. */
  view: string;
  date: string;
  /** Final keys of the files merged (and deleted once the swap is committed). */
  replaced: string[];
  /** Final key of the merged file. */
  merged: string;
}

/** Completion records kept; the newest alone carries the state, the others serve staging recovery. */
export const KEEP_COMPLETIONS = 5;

/**
 * Records younger than this are never pruned, so a writer that knew the log's newest number less than
 * half of it ago cannot take a pruned number again (io/log-freshness.ts).
 */
export const COMPLETION_RETENTION_MS = 60_000;

/** The final keys of a record's files that are compactions' merged files (their rows are not new). */
export function mergedKeys(record: CompletionRecord): Set<string> {
  return new Set((record.compactions ?? []).map((plan) => plan.merged));
}

/** A commit number of the one log, or one per commit group's log. */
export type GroupNumbers = number | number[];

/** One number per group: a single number stands for every group (a job's first record is `initialCompletion`). */
export function perGroup(value: GroupNumbers, groups: number): number[] {
  if (!Array.isArray(value)) return new Array<number>(groups).fill(value);
  if (value.length !== groups)
    throw new StorageError(
      'corrupt_checkpoint',
      `a completion record holds ${value.length} commit groups' positions, the job has ${groups}`,
    );
  return value;
}

/** As stored: a plain number for one group (the original format), else the list. */
export function stored(values: readonly number[]): GroupNumbers {
  return values.length === 1 ? values[0]! : [...values];
}

/** The last commit of each group whose dead letters a completion has gathered (0 for records older than the field). */
export function recordsThrough(record: CompletionRecord, groups: number): number[] {
  return perGroup(record.recordsThroughCommit ?? 0, groups);
}

/** Before the first completion: nothing is complete, every commit's partial rows are pending. */
export function initialCompletion(job: string): CompletionRecord {
  return {
    job,
    completion: 0,
    writerId: '',
    createdAtMs: 0,
    completedThroughMs: -Infinity,
    coveredCommit: 0,
    pendingFromCommit: 1,
    recordsThroughCommit: 0,
    files: [],
  };
}

export function encodeCompletion(record: CompletionRecord): Buffer {
  const completedThrough = Number.isFinite(record.completedThroughMs) ? record.completedThroughMs : null;
  return Buffer.from(`${JSON.stringify({ ...record, completedThroughMs: completedThrough })}\n`, 'utf8');
}

export function decodeCompletion(key: string, bytes: Buffer): CompletionRecord {
  try {
    const record = JSON.parse(bytes.toString('utf8')) as CompletionRecord & {
      completedThroughMs: number | null;
    };
    if (typeof record.completion !== 'number' || !Array.isArray(record.files))
      throw new Error('fields missing');
    return { ...record, completedThroughMs: record.completedThroughMs ?? -Infinity };
  } catch (error) {
    throw new StorageError('corrupt_checkpoint', `completion record ${key} is unreadable`, { cause: error });
  }
}

export class CompletionLog implements CommittedFiles {
  /** The newest records seen, by number (the latest few: staging recovery needs their file lists). */
  private readonly records = new Map<number, CompletionRecord>();
  private readonly freshness: LogFreshness;
  latest: CompletionRecord;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
    private readonly job: string,
    freshness = new LogFreshness(COMPLETION_RETENTION_MS / 2),
  ) {
    this.latest = initialCompletion(job);
    this.freshness = freshness;
  }

  /** Whether `latest` is recent enough to append after it without listing the log again. */
  get fresh(): boolean {
    return this.freshness.fresh;
  }

  get latestCommit(): number {
    return this.latest.completion;
  }

  recordsNewestFirst(): CompletionRecord[] {
    return [...this.records.values()].sort((a, b) => b.completion - a.completion);
  }

  filesOf(completion: number): readonly StagedFile[] | undefined {
    return this.records.get(completion)?.files;
  }

  /** Lists the log and reads the records newer than the latest seen; returns the latest. */
  async sync(): Promise<CompletionRecord> {
    const listedAtMs = this.freshness.now();
    const numbers = (await this.store.list(completionsPrefix(this.layout, this.job)))
      .map((key) => completionOfKey(this.layout, this.job, key))
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    const present = new Set(numbers);
    for (const completion of this.records.keys())
      if (!present.has(completion)) this.records.delete(completion);
    for (const completion of numbers) {
      if (completion <= this.latest.completion && this.records.has(completion)) continue;
      const record = await this.read(completion);
      if (record === undefined) continue; // pruned between list and get: a newer one exists
      this.remember(record);
    }
    this.freshness.knewAt(listedAtMs);
    return this.latest;
  }

  private async read(completion: number): Promise<CompletionRecord | undefined> {
    const key = completionKey(this.layout, this.job, completion);
    const bytes = await this.store.get(key);
    return bytes === undefined ? undefined : decodeCompletion(key, bytes);
  }

  private remember(record: CompletionRecord): void {
    this.records.set(record.completion, record);
    if (record.completion > this.latest.completion) this.latest = record;
  }

  /**
   * Writes record M unless M is taken (another writer completed that range first). A view of the log
   * too old to rule out a pruned M is listed again first (io/log-freshness.ts).
   */
  async append(record: CompletionRecord): Promise<PutIfAbsentResult> {
    if (!this.freshness.fresh && (await this.sync()).completion >= record.completion) return 'exists';
    const key = completionKey(this.layout, this.job, record.completion);
    const startedAtMs = this.freshness.now();
    const result = await this.store.putIfAbsent(key, encodeCompletion(record));
    if (result === 'created') {
      this.remember(record);
      this.freshness.knewAt(startedAtMs);
    }
    return result;
  }

  /**
   * Deletes all but the newest `keep` records (the latest alone carries the state forward), and none
   * younger than `retentionMs` by `nowMs` (a record this writer has not read counts as young).
   */
  async prune(keep: number, nowMs: number, retentionMs = COMPLETION_RETENTION_MS): Promise<void> {
    const numbers = (await this.store.list(completionsPrefix(this.layout, this.job)))
      .map((key) => completionOfKey(this.layout, this.job, key))
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => b - a);
    const old = numbers.slice(Math.max(1, keep)).filter((n) => {
      const createdAtMs = this.records.get(n)?.createdAtMs;
      return createdAtMs !== undefined && nowMs - createdAtMs >= retentionMs;
    });
    await this.store.deleteMany(old.map((n) => completionKey(this.layout, this.job, n)));
    for (const n of old) this.records.delete(n);
  }
}
