/**
 * `query` as a library. By default a view's complete rows: what the views tree holds (docs/storage.md),
 * which a plain Parquet reader gets too — read only from completions up to the latest one seen, so that
 * files published meanwhile cannot mix in. Files a completion committed but has not copied yet are read
 * from its staging. With `includeIncomplete`, the partial rows not complete yet are merged and added
 * (their values may still grow). Rows are filtered on the start column to `[fromMs, toMs)`, have exactly
 * the catalog columns and are sorted as dumps are. One ViewQuery can be asked again and again (the live
 * summary): published files never change, so their rows are kept.
 */
import type { JobName } from '../../events/topics.ts';
import { viewSpec } from '../../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../../events/view-dump.ts';
import { logicalRow, mergeRows } from '../engine/merge-rows.ts';
import { CommitLog } from '../io/checkpoint-store.ts';
import { groupStream, readCommitGroups } from '../io/commit-groups.ts';
import { mergedKeys, perGroup } from '../io/completion-log.ts';
import { listPartialFiles, readRowsByView, type FileSource } from '../io/partial-files.ts';
import { DEFAULT_LAYOUT, numberOfFinalKey, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { CompletionPool } from '../engine/completion-pool.ts';
import { viewDefinition } from '../views/index.ts';
import { CompletenessReader, type JobCompleteness } from './completeness.ts';
import { dateDirDayMs, dateInRange, inStartRange, type StartRange } from './start-range.ts';

export interface ViewQueryOptions {
  layout?: StorageLayout;
}

export interface QueryRequest extends StartRange {
  view: string;
  /** Also return rows not complete yet, merged from the partial rows (their values may still grow). */
  includeIncomplete?: boolean;
}

export interface QueryResult {
  view: string;
  /** Logical rows: catalog columns only, timestamps as epoch ms, sorted by time columns then keys. */
  rows: ViewRow[];
  completeness: JobCompleteness;
  /** Rows not complete yet (returned only with includeIncomplete). */
  incompleteRows: number;
  /** Parquet files read. */
  files: number;
}

export class ViewQuery {
  private readonly layout: StorageLayout;
  private readonly completeness: CompletenessReader;
  private readonly rowsByKey = new Map<string, ViewRow[]>();

  constructor(
    private readonly store: ObjectStore,
    options: ViewQueryOptions = {},
  ) {
    this.layout = options.layout ?? DEFAULT_LAYOUT;
    this.completeness = new CompletenessReader(store, this.layout);
  }

  /** How far a job's views are complete, from its completion log. */
  jobCompleteness(job: JobName): Promise<JobCompleteness> {
    return this.completeness.read(job);
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const spec = viewSpec(request.view);
    const completeness = await this.completeness.read(spec.job);
    const { rows, files } = await this.completeRows(request, completeness);
    let incompleteRows = 0;
    if (request.includeIncomplete === true) {
      const incomplete = await this.incompleteRows(request, completeness);
      incompleteRows = incomplete.length;
      rows.push(...incomplete);
    }
    return { view: spec.name, rows: sortRows(spec, rows), completeness, incompleteRows, files };
  }

  /**
   * UTC midnights (epoch ms, ascending) of the dates holding the view's complete rows: the only days a
   * range can find rows in, from one listing (a reader of wide ranges asks these, not every day).
   */
  async rowDays(view: string): Promise<number[]> {
    const spec = viewSpec(view);
    const completeness = await this.completeness.read(spec.job);
    const days = new Set<number>();
    for (const { key } of await this.completeSources({ view: spec.name }, completeness)) {
      const dayMs = dateDirDayMs(key); // every file of the views tree has one (io/view-files.ts)
      if (dayMs !== undefined) days.add(dayMs);
    }
    return [...days].sort((a, b) => a - b);
  }

  /** The files holding the request's complete rows: published ones, and staged ones not copied yet. */
  private async completeSources(request: QueryRequest, completeness: JobCompleteness): Promise<FileSource[]> {
    const prefix = `${this.layout.viewsPrefix}${request.view}/`;
    const upTo = completeness.latest.completion;
    const wanted = (key: string): boolean =>
      key.startsWith(prefix) &&
      key.endsWith('.parquet') &&
      (numberOfFinalKey(key) ?? Infinity) <= upTo &&
      dateInRange(key, request);
    const published = (await this.store.list(prefix)).filter(wanted);
    const listed = new Set(published);
    const sources: FileSource[] = published.map((key) => ({ key }));
    for (const record of completeness.records) {
      const merged = mergedKeys(record); // a compaction's merge of rows already there, not new ones
      for (const file of record.files)
        if (wanted(file.final) && !listed.has(file.final) && !merged.has(file.final))
          sources.push({ key: file.final, staging: file.staging });
    }
    return sources;
  }

  private async completeRows(
    request: QueryRequest,
    completeness: JobCompleteness,
  ): Promise<{ rows: ViewRow[]; files: number }> {
    const spec = viewSpec(request.view);
    const prefix = `${this.layout.viewsPrefix}${spec.name}/`;
    const sources = await this.completeSources({ ...request, view: spec.name }, completeness);
    const startColumn = spec.columns[0]!.name;
    const rows: ViewRow[] = [];
    const used = new Set<string>();
    for (const source of sources) {
      let fileRows = this.rowsByKey.get(source.key);
      if (fileRows === undefined) {
        fileRows = (await readRowsByView(this.store, this.layout.viewsPrefix, [source])).get(spec.name);
        if (fileRows === undefined) continue; // gone from both places: merged into a compacted file
        this.rowsByKey.set(source.key, fileRows);
      }
      used.add(source.key);
      for (const row of fileRows) if (inStartRange(Number(row[startColumn]), request)) rows.push(row);
    }
    // Forget files of this view no longer asked for (a live summary moves its range forward).
    for (const key of this.rowsByKey.keys())
      if (key.startsWith(prefix) && !used.has(key)) this.rowsByKey.delete(key);
    return { rows, files: used.size };
  }

  /** Partial rows of commits the latest completion still counts as pending, merged; the incomplete ones. */
  private async incompleteRows(request: QueryRequest, completeness: JobCompleteness): Promise<ViewRow[]> {
    const view = viewDefinition(request.view);
    const { latest } = completeness;
    const groups = await readCommitGroups(this.store, this.layout, completeness.job);
    const pendingFrom = perGroup(latest.pendingFromCommit, groups);
    const pool = new CompletionPool([view], groups);
    for (let group = 0; group < groups; group++) {
      const stream = groupStream(completeness.job, group, groups);
      const checkpoints = await new CommitLog(this.store, this.layout, stream).sync();
      const byCommit = new Map<number, FileSource[]>();
      const [listed] = await listPartialFiles(this.store, this.layout, stream, [view.name]);
      for (const [commit, keys] of listed!)
        byCommit.set(
          commit,
          keys.map((key) => ({ key })),
        );
      for (const { commit, files } of checkpoints) {
        const mine = files.filter((file) =>
          file.final.startsWith(`${this.layout.partialsPrefix}${view.name}/`),
        );
        if (mine.length > 0)
          byCommit.set(
            commit,
            mine.map((file) => ({ key: file.final, staging: file.staging })),
          );
      }
      for (const [commit, sources] of byCommit) {
        if (commit < pendingFrom[group]!) continue;
        const rows = await readRowsByView(this.store, this.layout.partialsPrefix, sources);
        pool.absorb(group, commit, rows, latest.completedThroughMs);
      }
    }
    const startColumn = viewSpec(view.name).columns[0]!.name;
    return mergeRows(view, pool.incomplete(latest.completedThroughMs).get(view.name) ?? [])
      .map((row) => logicalRow(view, row))
      .filter((row) => inStartRange(Number(row[startColumn]), request));
  }
}
