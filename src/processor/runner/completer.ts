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
import type { GroupCommitListener } from '../io/commit-groups.ts';
import {
  CompletionLog,
  KEEP_COMPLETIONS,
  perGroup,
  recordsThrough,
  stored,
  type CompletionRecord,
} from '../io/completion-log.ts';
import { viewOfKey } from '../io/partial-files.ts';
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
import { CommitAbsorber } from './commit-absorber.ts';
import type { PublishedFile } from './job-metrics.ts';

/** What the completer needs of the job's commit logs (io/commit-groups.ts): one per commit group. */
export interface CommitSource {
  readonly groups: number;
  onCommit(listener: GroupCommitListener): void;
  readonly latestCommits: number[];
  /** Reads the logs for commits of other writers (a commit of this one reads only its groups' logs). */
  refresh(): Promise<void>;
  /** A commit's files as its log was last read (undefined: pruned, or not read yet). */
  filesOf(group: number, commit: number): readonly StagedFile[] | undefined;
  watermarkOf(topic: string, partition: number, through?: readonly number[]): number | undefined;
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
  /** Every group's commits into the pool. */
  private readonly absorber: CommitAbsorber;
  private readonly groups: number;
  private initialized = false;
  private waitingRows = 0;
  /** When completedThrough last moved, as far as this instance has seen (records-only completions keep it). */
  private advanced: { throughMs: number; atMs: number } | undefined;
  private readonly compactor: ClosedDateCompactor;
  /** Partitions per topic; the runner sets it from the broker once it has checked the topics. */
  partitions: number;
  /**
   * Whether this instance completes (JobState: with commit groups, only the owner of one fixed partition
   * does). Inactive, it keeps nothing per commit; active again, it reads what it needs from the logs.
   */
  active = true;

  constructor(
    private readonly store: ObjectStore,
    private readonly source: CommitSource,
    private readonly options: CompleterOptions,
  ) {
    this.groups = source.groups;
    this.log = new CompletionLog(store, options.layout, options.job);
    this.pool = new CompletionPool(options.views, this.groups);
    this.publisher = new CompletionPublisher(store, options.layout, options);
    this.compactor = new ClosedDateCompactor(store, this.log, this.publisher, {
      ...options,
      views: options.views.map((view) => view.name),
    });
    this.records = new PendingRecords(
      store,
      options.job,
      [deadLetterDataset(options.layout), rawDataset(options.layout)],
      this.groups,
    );
    this.absorber = new CommitAbsorber(store, this.pool, this.records, {
      ...options,
      views: this.viewNames,
      groups: this.groups,
      filesOf: (group, commit) => source.filesOf(group, commit),
    });
    this.partitions = options.partitions;
    source.onCommit((group, { commit, files }) => {
      if (this.active) this.absorber.seen(group, commit, files);
    });
  }

  /** Partial rows this instance committed in `commit` of `group`'s log (saves reading its own files back). */
  ownRows(
    group: number,
    commit: number,
    rowsByView: ReadonlyMap<string, ViewRow[]>,
    published: readonly string[],
  ): void {
    if (this.active) this.absorber.ownRows(group, commit, rowsByView, published);
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
   * wm(p) of every partition of the job, from the newest commit of its group's log up to `through[group]`
   * holding it (−∞: none yet). A round bounds it by the commits it has read: newer ones may arrive while it
   * runs.
   */
  partitionWatermarks(through: readonly number[] = this.source.latestCommits): PartitionWatermark[] {
    return JOB_TOPICS[this.options.job].flatMap((topic) =>
      Array.from({ length: this.partitions }, (_, partition) => ({
        topic,
        partition,
        watermarkMs: this.source.watermarkOf(topic, partition, through) ?? -Infinity,
      })),
    );
  }

  /** W: the minimum of partitionWatermarks(). */
  watermark(through?: readonly number[]): number {
    return this.partitionWatermarks(through).reduce(
      (min, { watermarkMs }) => Math.min(min, watermarkMs),
      Infinity,
    );
  }

  /** One completion round; `force` publishes what is complete now, whatever the flush policy says. */
  async round(force = false): Promise<CompletionOutcome | undefined> {
    if (!this.initialized) await this.init();
    await this.source.refresh();
    const covered = [...this.source.latestCommits];
    await this.absorber.absorbThrough(covered, this.log.latest.completedThroughMs);
    const watermarkMs = this.watermark(covered);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const latest = this.log.latest;
      const advanced = watermarkMs > latest.completedThroughMs;
      const records = this.records.waiting(recordsThrough(latest, this.groups), covered);
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
    await this.absorber.deleteConsumedListed();
    const gathered = recordsThrough(this.log.latest, this.groups);
    const pending = (await this.records.list()).flatMap((byCommit, group) =>
      [...byCommit].filter(([commit]) => commit <= gathered[group]!).flatMap(([, keys]) => keys),
    );
    await this.store.deleteMany(pending);
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
    this.records.forgetThrough(recordsThrough(latest, this.groups));
    this.absorber.advanceFloors(perGroup(latest.pendingFromCommit, this.groups));
  }

  /** Completion M = latest + 1 through `watermarkMs`; undefined when another writer took M first. */
  /**
   * `compact: false` (a stop's round) leaves closed dates to the next round: a stop cut short between a
   * merged file's copy and the delete of the files it replaces would leave plain readers counting twice.
   */
  private async tryComplete(
    watermarkMs: number,
    covered: readonly number[],
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
    const gatheredFrom = recordsThrough(latest, this.groups);
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
      coveredCommit: stored(covered),
      pendingFromCommit: stored(
        this.pool.pendingFrom(
          watermarkMs,
          covered.map((commit) => commit + 1),
        ),
      ),
      recordsThroughCommit: stored(covered.map((commit, group) => Math.max(gatheredFrom[group]!, commit))),
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
    await this.absorber.deleteConsumed(perGroup(record.pendingFromCommit, this.groups));
    await this.records.deleteThrough(perGroup(record.recordsThroughCommit!, this.groups));
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

  private get viewNames(): string[] {
    return this.options.views.map((view) => view.name);
  }
}
