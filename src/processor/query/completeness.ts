/**
 * Completeness of a job's logical rows (semantics.md "Finality"): W = min over all the job's partitions of
 * wm(p), each read from the newest checkpoint holding the partition. A row is complete once W has reached
 * its window end (+ the join bound for join views, the session end for sessions). Checkpoints are
 * immutable, so a reader keeps what it decoded and on the next look reads only the commits added since.
 */
import { JOB_TOPICS, type JobName } from '../../events/topics.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import type { AnyView } from '../engine/view-definition.ts';
import { decodeCheckpoint, type StagedFile } from '../io/checkpoint-codec.ts';
import { partitionKey } from '../io/checkpoint-store.ts';
import { commitOfKey, commitsPrefix, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { decodePartitionBlob, type PartitionBlob } from '../io/partition-state-blob.ts';

export interface PartitionWatermark {
  topic: string;
  partition: number;
  /** wm(p) as of the newest commit holding p; −∞ when no commit holds it yet. */
  watermarkMs: number;
  /** The commit it was read from. */
  commit: number | undefined;
}

export interface JobCompleteness {
  job: JobName;
  /** W: min over every partition of the job (−∞ until each one has been committed). */
  watermarkMs: number;
  partitions: PartitionWatermark[];
  /** Files of the commits present in the log (to find committed files not yet published). */
  committedFiles: StagedFile[];
  latestCommit: number;
  /** Wall time of the newest commit, or undefined when the log is empty. */
  latestCommitAtMs: number | undefined;
}

/** wm(p) = max(maxT(p) − D, idle(p)), +∞ after end of input; the idle advance alone when the engine never saw p. */
export function blobWatermarkMs(blob: PartitionBlob, watermarkDelayMs: number): number {
  const idleMs = blob.idle?.watermarkMs ?? -Infinity;
  if (blob.engine === null) return idleMs;
  const { clock } = blob.engine;
  if (clock.ended) return Infinity;
  return Math.max(clock.maxTimeMs - watermarkDelayMs, clock.idleWatermarkMs, idleMs);
}

/** The value W must reach for the row to be complete. */
export function completeAtMs(view: AnyView, row: ViewRow): number {
  if (view.kind === 'session') return Number(row.session_end);
  const endMs = Number(row.window_end);
  return view.kind === 'join' ? endMs + view.boundMs : endMs;
}

interface CommitSummary {
  createdAtMs: number;
  watermarks: Map<string, number>;
  files: StagedFile[];
}

const LIST_ATTEMPTS = 3;

export class CompletenessReader {
  /** Decoded commits by key, per job (commits never change once written). */
  private readonly seen = new Map<string, CommitSummary>();

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
    private readonly options: { partitions: number; watermarkDelayMs: number },
  ) {}

  async read(job: JobName): Promise<JobCompleteness> {
    // A commit pruned between the listing and the read is superseded by a newer one: list again.
    for (let attempt = 1; ; attempt++) {
      const summaries = await this.readLog(job);
      if (summaries !== undefined || attempt === LIST_ATTEMPTS)
        return this.summarize(job, summaries ?? new Map());
    }
  }

  /** Every commit of the job's log by number, or undefined when one vanished while reading. */
  private async readLog(job: JobName): Promise<Map<number, CommitSummary> | undefined> {
    const prefix = commitsPrefix(this.layout, job);
    const keys = await this.store.list(prefix);
    const listed = new Set(keys);
    for (const key of this.seen.keys()) if (key.startsWith(prefix) && !listed.has(key)) this.seen.delete(key);
    const summaries = new Map<number, CommitSummary>();
    for (const key of keys) {
      const commit = commitOfKey(this.layout, job, key);
      if (commit === undefined) continue;
      let summary = this.seen.get(key);
      if (summary === undefined) {
        const bytes = await this.store.get(key);
        if (bytes === undefined) return undefined;
        summary = this.decode(key, bytes);
        this.seen.set(key, summary);
      }
      summaries.set(commit, summary);
    }
    return summaries;
  }

  private decode(key: string, bytes: Buffer): CommitSummary {
    const checkpoint = decodeCheckpoint(key, bytes);
    const watermarks = new Map<string, number>();
    for (const { topic, partition, state } of checkpoint.partitions) {
      watermarks.set(
        partitionKey(topic, partition),
        blobWatermarkMs(decodePartitionBlob(state), this.options.watermarkDelayMs),
      );
    }
    return { createdAtMs: checkpoint.createdAtMs, watermarks, files: checkpoint.files };
  }

  private summarize(job: JobName, summaries: Map<number, CommitSummary>): JobCompleteness {
    const newestFirst = [...summaries].sort(([a], [b]) => b - a);
    const partitions: PartitionWatermark[] = [];
    for (const topic of JOB_TOPICS[job]) {
      for (let partition = 0; partition < this.options.partitions; partition++) {
        const key = partitionKey(topic, partition);
        const holder = newestFirst.find(([, summary]) => summary.watermarks.has(key));
        partitions.push({
          topic,
          partition,
          watermarkMs: holder === undefined ? -Infinity : holder[1].watermarks.get(key)!,
          commit: holder?.[0],
        });
      }
    }
    const watermarkMs = partitions.reduce((min, p) => Math.min(min, p.watermarkMs), Infinity);
    return {
      job,
      watermarkMs,
      partitions,
      committedFiles: newestFirst.flatMap(([, summary]) => summary.files),
      latestCommit: newestFirst[0]?.[0] ?? 0,
      latestCommitAtMs: newestFirst[0]?.[1].createdAtMs,
    };
  }
}
