/**
 * Replay (docs/contract/record-files-and-dumps.md): the real engines fed from records in batches taken in input order, split by job
 * as the Kafka consumers would see them; final rows are drained after every batch (as a commit would),
 * and at end of input every partition's watermark is +∞. The result is the merged logical view.
 */
import type { SourceRecord } from '../events/record.ts';
import { isTopic, jobOfTopic, JOBS, type JobName } from '../events/topics.ts';
import type { RejectedRecord, ViewRow } from '../events/view-dump.ts';
import type { EngineOptions, RecordRejection } from './engine/job-engine.ts';
import { logicalRow, mergeRows } from './engine/merge-rows.ts';
import { decodeSnapshot } from './engine/codec/snapshot-codec.ts';
import { createJobEngine, DEFAULT_ENGINE_OPTIONS } from './jobs.ts';
import { viewDefinition } from './views/index.ts';

export interface ReplayOptions extends EngineOptions {
  /** Records per batch (docs/contract/record-files-and-dumps.md default 10,000). */
  batchSize: number;
}

export const DEFAULT_REPLAY_OPTIONS: ReplayOptions = { ...DEFAULT_ENGINE_OPTIONS, batchSize: 10_000 };

export interface ReplayResult {
  rowsByView: Map<string, ViewRow[]>;
  rejected: RejectedRecord[];
  accepted: number;
}

/** What a run has written so far: partial rows (a Kafka run's S3 files), rejections, the accepted count. */
export interface ReplayOutput {
  partialRows: Map<string, ViewRow[]>;
  rejected: RejectedRecord[];
  accepted: number;
}

function unknownTopicRejection({
  topic,
  partition,
  offset,
  timestamp,
  key,
  value,
}: SourceRecord): RecordRejection {
  const message = `(topic): ${topic} is not a contract topic`;
  return { topic, partition, offset, timestampMs: timestamp, reason: 'invalid', message, key, value };
}

/** One replay in progress: feed batches, snapshot/restore between them, finish at end of input. */
export class ReplayRun {
  readonly output: ReplayOutput = { partialRows: new Map(), rejected: [], accepted: 0 };

  constructor(
    readonly options: EngineOptions,
    private readonly engines = new Map(JOBS.map((job) => [job, createJobEngine(job, options)])),
  ) {}

  feed(batch: readonly SourceRecord[]): void {
    const byJob = new Map<JobName, SourceRecord[]>();
    for (const record of batch) {
      if (!isTopic(record.topic)) {
        this.keepRejections([unknownTopicRejection(record)]);
        continue;
      }
      const job = jobOfTopic(record.topic);
      const list = byJob.get(job);
      if (list === undefined) byJob.set(job, [record]);
      else list.push(record);
    }
    for (const [job, jobBatch] of byJob) {
      const result = this.engines.get(job)!.process(jobBatch);
      this.output.accepted += result.accepted;
      this.keepRejections(result.rejected);
    }
    this.drain();
  }

  /** Every engine's state, one encoded piece per partition (take it between batches, as a checkpoint would). */
  snapshot(): Buffer[] {
    return [...this.engines.values()].flatMap((engine) =>
      engine
        .watermarks()
        .map(({ topic, partition }) => engine.encodePartition(topic, partition, false)!.bytes),
    );
  }

  /** A run continuing from `snapshot`, having already written `output`. */
  static restore(snapshot: readonly Uint8Array[], options: EngineOptions, output: ReplayOutput): ReplayRun {
    const engines = new Map(JOBS.map((job) => [job, createJobEngine(job, options)]));
    for (const encoded of snapshot) {
      const piece = decodeSnapshot(encoded);
      engines.get(piece.job as JobName)!.restorePartition(piece);
    }
    const run = new ReplayRun(options, engines);
    for (const [view, rows] of output.partialRows) run.output.partialRows.set(view, [...rows]);
    run.output.rejected.push(...output.rejected);
    run.output.accepted = output.accepted;
    return run;
  }

  /** End of input: every window becomes final; returns the merged logical rows of every view. */
  finish(): ReplayResult {
    for (const engine of this.engines.values()) engine.endOfInput();
    this.drain();
    const rowsByView = new Map<string, ViewRow[]>();
    for (const [name, rows] of this.output.partialRows) {
      const view = viewDefinition(name);
      rowsByView.set(
        name,
        mergeRows(view, rows).map((row) => logicalRow(view, row)),
      );
    }
    return { rowsByView, rejected: this.output.rejected, accepted: this.output.accepted };
  }

  private keepRejections(rejections: readonly RecordRejection[]): void {
    for (const { topic, partition, offset, reason } of rejections) {
      this.output.rejected.push({ topic, partition, offset, reason });
    }
  }

  private drain(): void {
    for (const engine of this.engines.values()) {
      for (const [view, rows] of engine.drainFinal()) {
        const kept = this.output.partialRows.get(view);
        if (kept === undefined) this.output.partialRows.set(view, rows);
        else for (const row of rows) kept.push(row);
      }
    }
  }
}

export async function replay(
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>,
  options: ReplayOptions = DEFAULT_REPLAY_OPTIONS,
): Promise<ReplayResult> {
  const run = new ReplayRun(options);
  let batch: SourceRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= options.batchSize) {
      run.feed(batch);
      batch = [];
    }
  }
  if (batch.length > 0) run.feed(batch);
  return run.finish();
}
