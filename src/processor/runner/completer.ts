/**
 * Publishes complete rows (docs/storage.md "Completion"): after each commit, an instance reads W — the
 * minimum over every partition of the job of wm(p) in the newest commit holding it — and once W has passed
 * a window's completion time, merges the window's partial rows from every commit of every instance and
 * publishes them under the views tree with completion M of the job's completion log. The conditional put
 * of M makes exactly one writer publish each range (C_{M−1}, C_M] of completion times, so every logical row
 * is published exactly once, whatever the number of instances, crashes and retries.
 *
 * Flush policy: windowed views publish as soon as a window is complete (one file per view and date per
 * window slide); session rows wait up to `flushIntervalMs` to share a file, unless nothing else is pending.
 * Without new rows, completeness still moves forward every flush interval (`_completeness.json`). Dead
 * letters and the raw archive's lines wait in the partials tree until a completion gathers them
 * (io/pending-records.ts): with the next complete rows, or after RECORDS_FLUSH_MS without any.
 */
import { JOB_TOPICS, type JobName } from '../../events/topics.ts';
import { viewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import { finalityLatenciesS } from '../engine/complete-at.ts';
import type { AnyView } from '../engine/view-definition.ts';
import type { StagedFile } from '../io/checkpoint-codec.ts';
import { partitionKey, type CommitListener } from '../io/checkpoint-store.ts';
import {
  CompletionLog,
  KEEP_COMPLETIONS,
  recordsThrough,
  type CompletionRecord,
} from '../io/completion-log.ts';
import { listPartialFiles, readRowsByView, viewOfKey, type FileSource } from '../io/partial-files.ts';
import { PendingRecords } from '../io/pending-records.ts';
import { deadLetterDataset, rawDataset } from '../io/record-datasets.ts';
import { IO_CONCURRENCY, forEachLimit, settleStaging } from '../io/publish.ts';
import { viewOutputFiles } from '../io/view-files.ts';
import type { PublishedViewFile } from '../io/view-tables.ts';
import { ClosedDateCompactor } from './closed-date-compactor.ts';
import { CompletionPublisher, type PartitionWatermark } from './completion-publisher.ts';
import { completionStagingRoot, finalKey, stagingDir, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { CompletionPool } from '../engine/completion-pool.ts';
import type { PublishedFile } from './job-metrics.ts';

/** What the completer needs of the job's committer (io/commit.ts). */
export interface CommitSource {
  onCommit(listener: CommitListener): void;
  readonly latestCommit: number;
  watermarkOf(partition: string, throughCommit?: number): number | undefined;
}

export interface CompleterOptions {
  job: JobName;
  views: readonly AnyView[];
  layout: StorageLayout;
  /** Partitions per topic: every one of them counts for W. */
  partitions: number;
  writerId: string;
  flushIntervalMs: number;
  /** D: finality latency is measured from completion time + D. */
  watermarkDelayMs: number;
  processorVersion: string;
  nowMs: () => number;
}

export interface CompletionOutcome {
  completion: number;
  completedThroughMs: number;
  rows: number;
  files: PublishedFile[];
  /** Dead-letter and raw archive files gathered, by tree and topic. */
  recordFiles: (PublishedFile & { tree: string })[];
  /** Per published row: seconds from its completion time + D to visible. */
  finalityS: number[];
}

const MAX_ATTEMPTS = 100;
/**
 * Pending records (raw archive, dead letters) wait at most this long for a completion, even while no
 * rows are due: gathering a minute of a busy topic at once (100+ MB at 10,000 events/s, every job at the
 * same minute) stalled the jobs' loop and the machine; four smaller gathers a minute cost the same in
 * total. A flush interval below it wins.
 */
export const RECORDS_FLUSH_MS = 15_000;

export class Completer {
  private readonly log: CompletionLog;
  private readonly pool: CompletionPool;
  private readonly publisher: CompletionPublisher;
  private readonly records: PendingRecords;
  /** Commits seen in the log and not absorbed yet: their files. */
  private readonly seen = new Map<number, readonly StagedFile[]>();
  /** This instance's own commits: their partial rows, straight from memory. */
  private readonly own = new Map<number, ReadonlyMap<string, ViewRow[]>>();
  /** Partial files of absorbed commits, deleted once a completion of ours no longer needs them. */
  private readonly partialKeys = new Map<number, string[]>();
  /** Commits below this hold nothing pending; every commit up to absorbedThrough is in the pool. */
  private floor = 1;
  private absorbedThrough = 0;
  private initialized = false;
  private listed: Map<number, string[]> | undefined;
  private waitingRows = 0;
  /** When completedThrough last moved, as far as this instance has seen (records-only completions keep it). */
  private advanced: { throughMs: number; atMs: number } | undefined;
  private readonly compactor: ClosedDateCompactor;
  /** Partitions per topic; the runner sets it from the broker once it has checked the topics. */
  partitions: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly source: CommitSource,
    private readonly options: CompleterOptions,
  ) {
    this.log = new CompletionLog(store, options.layout, options.job);
    this.pool = new CompletionPool(options.views);
    this.publisher = new CompletionPublisher(store, options.layout, options);
    this.compactor = new ClosedDateCompactor(store, this.log, this.publisher, {
      ...options,
      views: options.views.map((view) => view.name),
    });
    this.records = new PendingRecords(store, options.job, [
      deadLetterDataset(options.layout),
      rawDataset(options.layout),
    ]);
    this.partitions = options.partitions;
    source.onCommit(({ commit, files }) => {
      if (commit > this.absorbedThrough) this.seen.set(commit, files);
    });
  }

  /** Partial rows this instance committed in `commit` (saves reading its own files back). */
  ownRows(commit: number, rowsByView: ReadonlyMap<string, ViewRow[]>, published: readonly string[]): void {
    this.own.set(commit, rowsByView);
    this.partialKeys.set(commit, this.partialsOf(published));
  }

  /** Complete rows not yet published (they wait for the flush interval). */
  get waiting(): number {
    return this.waitingRows;
  }

  /** The latest completion this instance knows of. */
  get latest(): CompletionRecord {
    return this.log.latest;
  }

  /**
   * wm(p) of every partition of the job, from the newest commit up to `throughCommit` holding it (−∞: none
   * yet). A round bounds it by the commits it has read: newer ones may arrive while it runs.
   */
  partitionWatermarks(throughCommit = this.source.latestCommit): PartitionWatermark[] {
    return JOB_TOPICS[this.options.job].flatMap((topic) =>
      Array.from({ length: this.partitions }, (_, partition) => ({
        topic,
        partition,
        watermarkMs: this.source.watermarkOf(partitionKey(topic, partition), throughCommit) ?? -Infinity,
      })),
    );
  }

  /** W: the minimum of partitionWatermarks(). */
  watermark(throughCommit?: number): number {
    return this.partitionWatermarks(throughCommit).reduce(
      (min, { watermarkMs }) => Math.min(min, watermarkMs),
      Infinity,
    );
  }

  /** One completion round; `force` publishes what is complete now, whatever the flush policy says. */
  async round(force = false): Promise<CompletionOutcome | undefined> {
    if (!this.initialized) await this.init();
    const covered = this.source.latestCommit;
    await this.absorbThrough(covered);
    const watermarkMs = this.watermark(covered);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const latest = this.log.latest;
      const advanced = watermarkMs > latest.completedThroughMs;
      const records = this.records.waiting(recordsThrough(latest), covered);
      if (!advanced && !records) {
        this.waitingRows = 0;
        return undefined;
      }
      const ready = advanced ? this.pool.ready(watermarkMs) : { rows: 0, windowed: false, all: true };
      const nowMs = this.options.nowMs();
      const { flushIntervalMs } = this.options;
      const rowsDue =
        force ||
        ready.windowed ||
        (ready.rows > 0 && ready.all) ||
        nowMs - this.advancedAtMs(latest) >= flushIntervalMs;
      const recordsDue = records && nowMs - latest.createdAtMs >= Math.min(RECORDS_FLUSH_MS, flushIntervalMs);
      this.waitingRows = rowsDue ? 0 : ready.rows;
      if (!rowsDue && !recordsDue) return undefined;
      // Records alone keep completedThrough: the rows that wait for the flush interval go on waiting.
      const throughMs = rowsDue
        ? Math.max(watermarkMs, latest.completedThroughMs)
        : latest.completedThroughMs;
      const outcome = await this.tryComplete(throughMs, covered, { compact: !force });
      if (outcome !== undefined) return outcome;
      await this.caughtUpWithOthers();
    }
    throw new Error(`${this.options.job}: no free completion number after ${MAX_ATTEMPTS} attempts`);
  }

  /** When `latest.completedThroughMs` was first reached, as far as this instance has seen. */
  private advancedAtMs(latest: CompletionRecord): number {
    if (this.advanced?.throughMs !== latest.completedThroughMs)
      this.advanced = { throughMs: latest.completedThroughMs, atMs: latest.createdAtMs };
    return this.advanced.atMs;
  }

  private async init(): Promise<void> {
    await this.caughtUpWithOthers();
    // Partial files every published completion has consumed are deleted (a crash may have left some).
    this.listed = await listPartialFiles(this.store, this.options.layout, this.options.job, this.viewNames);
    const consumed = [...this.listed].filter(([commit]) => commit < this.floor).flatMap(([, keys]) => keys);
    await this.store.deleteMany(consumed);
    const gathered = recordsThrough(this.log.latest);
    const pending = [...(await this.records.list())].filter(([commit]) => commit <= gathered);
    await this.store.deleteMany(pending.flatMap(([, keys]) => keys));
    this.initialized = true;
  }

  /** Reads completions of other writers, publishes any they left staged, and forgets what they published. */
  private async caughtUpWithOthers(): Promise<void> {
    const latest = await this.log.sync();
    await settleStaging(this.store, completionStagingRoot(this.options.layout, this.options.job), this.log);
    // Its writer may have died before adding its files to the views' Delta tables or before finishing its
    // compactions; both are idempotent.
    await this.publisher.finish(latest, latest.files);
    this.pool.drop(latest.completedThroughMs);
    this.records.forgetThrough(recordsThrough(latest));
    this.advanceFloor(latest.pendingFromCommit);
  }

  private advanceFloor(floor: number): void {
    if (floor <= this.floor) return;
    this.floor = floor;
    this.absorbedThrough = Math.max(this.absorbedThrough, floor - 1);
    for (const commit of [...this.seen.keys(), ...this.own.keys(), ...this.partialKeys.keys()]) {
      if (commit >= floor) continue;
      this.seen.delete(commit);
      this.own.delete(commit);
      this.partialKeys.delete(commit);
    }
  }

  /** Puts every commit up to `covered` into the pool: own rows from memory, the others' from their files. */
  private async absorbThrough(covered: number): Promise<void> {
    const completedThroughMs = this.log.latest.completedThroughMs;
    const missing: number[] = [];
    for (let commit = this.absorbedThrough + 1; commit <= covered; commit++) {
      const own = this.own.get(commit);
      const files = this.seen.get(commit);
      if (files !== undefined)
        this.records.absorb(
          commit,
          files.map(({ final, staging }) => ({ key: final, staging })),
        );
      if (own !== undefined) this.pool.absorb(commit, own, completedThroughMs);
      else if (files !== undefined) {
        const partials = files.filter((file) => this.holdsPartialRows(file.final));
        this.partialKeys.set(commit, this.partialsOf(partials.map((file) => file.final)));
        const sources = partials.map((file): FileSource => ({ key: file.final, staging: file.staging }));
        await this.absorbFiles(commit, sources, completedThroughMs);
      } else missing.push(commit);
      this.own.delete(commit);
      this.seen.delete(commit);
    }
    if (missing.length > 0) {
      // Pruned from the commit log before this instance read them: their files are in the partials tree.
      const listed =
        this.listed ??
        (await listPartialFiles(this.store, this.options.layout, this.options.job, this.viewNames));
      const records = await this.records.list();
      for (const commit of missing) {
        this.records.absorb(
          commit,
          (records.get(commit) ?? []).map((key) => ({ key })),
        );
        const keys = listed.get(commit) ?? [];
        this.partialKeys.set(commit, keys);
        await this.absorbFiles(
          commit,
          keys.map((key) => ({ key })),
          completedThroughMs,
        );
      }
    }
    this.listed = undefined;
    this.absorbedThrough = Math.max(this.absorbedThrough, covered);
  }

  private async absorbFiles(
    commit: number,
    sources: readonly FileSource[],
    completedThroughMs: number,
  ): Promise<void> {
    if (sources.length === 0) return;
    const rows = await readRowsByView(this.store, this.options.layout.partialsPrefix, sources);
    this.pool.absorb(commit, rows, completedThroughMs);
  }

  /** Completion M = latest + 1 through `watermarkMs`; undefined when another writer took M first. */
  /**
   * `compact: false` (a stop's round) leaves closed dates to the next round: a stop cut short between a
   * merged file's copy and the delete of the files it replaces would leave plain readers counting twice.
   */
  private async tryComplete(
    watermarkMs: number,
    covered: number,
    { compact }: { compact: boolean },
  ): Promise<CompletionOutcome | undefined> {
    const { job, layout, writerId, views, nowMs } = this.options;
    const latest = this.log.latest;
    const completion = latest.completion + 1;
    const rowsByView = this.pool.complete(watermarkMs);
    const dir = stagingDir(completionStagingRoot(layout, job), completion, writerId);
    const staged: (PublishedViewFile & { staging: string; body: Uint8Array })[] = views.flatMap((view) => {
      const rows = rowsByView.get(view.name);
      if (rows === undefined) return [];
      const columns = viewSpec(view.name).columns.map(({ name, type }) => ({ name, type }));
      return viewOutputFiles(view.name, columns, rows, layout.viewsPrefix).map((file) => {
        const final = finalKey(file, job, completion);
        return { staging: `${dir}${final}`, final, body: file.body, rows: file.rows };
      });
    });
    const gatheredFrom = recordsThrough(latest);
    const recordFiles = (await this.records.gather(gatheredFrom, covered)).map((file) => {
      const final = finalKey(file, job, completion);
      const { body, rows, tree, dataset } = file;
      return { staging: `${dir}${final}`, final, body, ...(rows && { rows }), tree, dataset };
    });
    staged.push(...recordFiles);
    await forEachLimit(staged, IO_CONCURRENCY, ({ staging, body }) => this.store.put(staging, body));
    const record: CompletionRecord = {
      job,
      completion,
      writerId,
      createdAtMs: nowMs(),
      completedThroughMs: watermarkMs,
      coveredCommit: covered,
      pendingFromCommit: this.pool.pendingFrom(watermarkMs, covered + 1),
      recordsThroughCommit: Math.max(gatheredFrom, covered),
      files: staged.map(({ staging, final }) => ({ staging, final })),
    };
    if ((await this.log.append(record)) !== 'created') {
      await this.store.deleteMany(staged.map((file) => file.staging));
      return undefined;
    }
    const visibleMs = await this.publisher.finish(record, staged);
    await this.publisher.writeCompleteness(record, this.partitionWatermarks(covered));
    this.pool.drop(watermarkMs); // `waitingRows` stays as the round set it: rows not due still wait
    await this.store.deleteMany(record.files.map((file) => file.staging));
    await this.log.prune(KEEP_COMPLETIONS, nowMs());
    await this.deleteConsumed(record.pendingFromCommit);
    await this.records.deleteThrough(record.recordsThroughCommit!);
    if (compact) await this.compactor.run();
    return {
      completion,
      completedThroughMs: watermarkMs,
      rows: [...rowsByView.values()].reduce((sum, rows) => sum + rows.length, 0),
      files: staged.flatMap((file) => {
        const view = viewOfKey(layout.viewsPrefix, file.final);
        return view === undefined ? [] : [{ dataset: view, bytes: file.body.byteLength }];
      }),
      recordFiles: recordFiles.map(({ tree, dataset, body }) => ({ tree, dataset, bytes: body.byteLength })),
      finalityS: finalityLatenciesS(views, rowsByView, this.options.watermarkDelayMs, visibleMs),
    };
  }

  /** Partial files of commits below the new floor hold nothing pending any more. */
  private async deleteConsumed(floor: number): Promise<void> {
    const keys: string[] = [];
    for (const [commit, partials] of this.partialKeys) if (commit < floor) keys.push(...partials);
    await this.store.deleteMany(keys);
    this.advanceFloor(floor);
  }

  private partialsOf(keys: readonly string[]): string[] {
    return keys.filter((key) => this.holdsPartialRows(key));
  }

  /** A view's partial-row file (the partials tree also holds the pending dead letters). */
  private holdsPartialRows(key: string): boolean {
    return key.startsWith(this.options.layout.partialsPrefix) && key.endsWith('.parquet');
  }

  private get viewNames(): string[] {
    return this.options.views.map((view) => view.name);
  }
}
