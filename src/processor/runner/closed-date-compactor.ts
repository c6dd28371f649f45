/**
 * Runs compaction of closed dates (runner/compaction.ts) after a completion: once per UTC day that
 * completeness crosses (plus the grace period), and again while the per-record limits left some. The
 * merged files are staged, then one completion record — the same completedThrough, no new rows, a
 * `compactions` list — is put with `If-None-Match: *`, so exactly one writer does each merge; the
 * publisher (whoever reads the record) copies the merged files, swaps them into the Delta tables and
 * deletes the replaced files.
 */
import { JOB_TOPICS, type JobName } from '../../events/topics.ts';
import { KEEP_COMPLETIONS, type CompletionLog, type CompletionRecord } from '../io/completion-log.ts';
import { IO_CONCURRENCY, forEachLimit } from '../io/publish.ts';
import { completionStagingRoot, stagingDir, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import {
  COMPACTION_GRACE_MS,
  SMALL_ARCHIVE_FILE_BYTES,
  planCompactions,
  type CompactionCandidate,
} from './compaction.ts';
import type { CompletionPublisher } from './completion-publisher.ts';

const DAY_MS = 86_400_000;

export interface ClosedDateCompactorOptions {
  job: JobName;
  layout: StorageLayout;
  writerId: string;
  views: readonly string[];
  nowMs: () => number;
}

export class ClosedDateCompactor {
  /** The last UTC day (days since the epoch) whose dates were found merged. */
  private compactedDay = -Infinity;

  constructor(
    private readonly store: ObjectStore,
    private readonly log: CompletionLog,
    private readonly publisher: CompletionPublisher,
    private readonly options: ClosedDateCompactorOptions,
  ) {}

  /** Merges what the latest completion closed; a record another writer took first is looked at again later. */
  async run(): Promise<void> {
    const { job, layout, writerId, nowMs } = this.options;
    const latest = this.log.latest;
    const day = Math.floor((latest.completedThroughMs - COMPACTION_GRACE_MS) / DAY_MS);
    if (!Number.isFinite(day) || day <= this.compactedDay) return;
    const candidates = await this.candidates(latest.completedThroughMs);
    const completion = latest.completion + 1;
    const { planned, more } = await planCompactions(this.store, candidates, { layout, job, completion });
    if (planned.length === 0) {
      this.compactedDay = day;
      return;
    }
    const dir = stagingDir(completionStagingRoot(layout, job), completion, writerId);
    const staged = planned.map(({ plan, body, rows }) => ({
      staging: `${dir}${plan.merged}`,
      final: plan.merged,
      body,
      ...(rows && { rows }),
    }));
    await forEachLimit(staged, IO_CONCURRENCY, ({ staging, body }) => this.store.put(staging, body));
    const record: CompletionRecord = {
      ...latest,
      completion,
      writerId,
      createdAtMs: nowMs(),
      files: staged.map(({ staging, final }) => ({ staging, final })),
      compactions: planned.map(({ plan }) => plan),
    };
    if ((await this.log.append(record)) !== 'created') {
      await this.store.deleteMany(staged.map((file) => file.staging));
      return;
    }
    await this.publisher.finish(record, staged);
    await this.store.deleteMany(record.files.map((file) => file.staging));
    await this.log.prune(KEEP_COMPLETIONS, nowMs());
    if (!more) this.compactedDay = day;
  }

  /** Closed dates with files to merge: the views', then the raw archive's, then the dead letters'. */
  private async candidates(completeThroughMs: number): Promise<CompactionCandidate[]> {
    const topics = JOB_TOPICS[this.options.job];
    const { tables, rawTables } = this.publisher;
    const views = await tables.compactionCandidates(
      this.options.views,
      completeThroughMs,
      COMPACTION_GRACE_MS,
    );
    const raw = await rawTables.compactionCandidates(
      topics,
      completeThroughMs,
      COMPACTION_GRACE_MS,
      SMALL_ARCHIVE_FILE_BYTES,
    );
    const deadLetters: CompactionCandidate[] = [];
    for (const topic of topics)
      deadLetters.push(...(await this.deadLetterCandidates(topic, completeThroughMs)));
    return [
      ...views.map((candidate) => ({ tree: 'views' as const, ...candidate })),
      ...raw.map((candidate) => ({ tree: 'raw' as const, ...candidate })),
      ...deadLetters,
    ];
  }

  /**
   * A topic's closed dates with two or more dead-letter files not merged yet. Merged files are left out, so
   * a date compacted before is read again only for records that reached it since.
   */
  private async deadLetterCandidates(
    topic: string,
    completeThroughMs: number,
  ): Promise<CompactionCandidate[]> {
    const prefix = `${this.options.layout.deadLetterPrefix}${topic}/`;
    const byDate = new Map<string, { key: string }[]>();
    for (const key of await this.store.list(prefix)) {
      const match = /^date=(\d{4}-\d{2}-\d{2})\/([^/]+\.ndjson)$/.exec(key.slice(prefix.length));
      if (match === null || match[2]!.startsWith('compacted-')) continue;
      byDate.set(match[1]!, [...(byDate.get(match[1]!) ?? []), { key }]);
    }
    return [...byDate]
      .filter(
        ([date, files]) =>
          files.length >= 2 && Date.parse(date) + DAY_MS + COMPACTION_GRACE_MS <= completeThroughMs,
      )
      .map(([date, files]) => ({ tree: 'dead_letter', table: topic, date, files }));
  }
}
