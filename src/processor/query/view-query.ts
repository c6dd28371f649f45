/**
 * `query` as a library: a view's merged logical rows (semantics.md "Partial rows": partial rows of every
 * instance and commit merge per (window, key)), complete ones only unless asked (semantics.md
 * "Finality": W of the view's job, from the latest checkpoints), filtered on the start column to
 * `[fromMs, toMs)`, with exactly the catalog columns, sorted as replay.md dumps are. One ViewQuery can be
 * asked again and again (the live summary): it rereads only new checkpoints and new files.
 */
import type { JobName } from '../../events/topics.ts';
import { viewSpec } from '../../events/view-catalog.ts';
import { sortRows, type ViewRow } from '../../events/view-dump.ts';
import { logicalRow, mergeRows } from '../engine/merge-rows.ts';
import { DEFAULT_LAYOUT, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { viewDefinition } from '../views/index.ts';
import { CompletenessReader, completeAtMs, type JobCompleteness } from './completeness.ts';
import { ViewFileReader, type StartRange } from './view-file-reader.ts';

export interface ViewQueryOptions {
  layout?: StorageLayout;
  /** Partitions per topic (settings.partitions); every one counts for W. */
  partitions: number;
  /** The D the jobs run with (settings.watermarkDelay): wm(p) = maxT(p) − D. */
  watermarkDelayMs: number;
}

export interface QueryRequest extends StartRange {
  view: string;
  /** Also return rows W has not reached yet (their values may still grow). */
  includeIncomplete?: boolean;
}

export interface QueryResult {
  view: string;
  /** Logical rows: catalog columns only, timestamps as epoch ms, sorted by time columns then keys. */
  rows: ViewRow[];
  completeness: JobCompleteness;
  /** Merged rows W has not reached (left out unless includeIncomplete). */
  incompleteRows: number;
  /** Parquet files read. */
  files: number;
}

export class ViewQuery {
  private readonly completeness: CompletenessReader;
  private readonly files: ViewFileReader;

  constructor(store: ObjectStore, options: ViewQueryOptions) {
    const layout = options.layout ?? DEFAULT_LAYOUT;
    this.completeness = new CompletenessReader(store, layout, options);
    this.files = new ViewFileReader(store, layout);
  }

  /** W of a job and the watermark of each of its partitions, from the latest checkpoints. */
  jobCompleteness(job: JobName): Promise<JobCompleteness> {
    return this.completeness.read(job);
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const view = viewDefinition(request.view);
    const spec = viewSpec(request.view);
    // Checkpoints first: every file of a commit read here is then either listed or read from staging.
    const completeness = await this.completeness.read(spec.job);
    const { rows: partial, files } = await this.files.read(spec.name, request, completeness.committedFiles);
    const rows: ViewRow[] = [];
    let incompleteRows = 0;
    for (const merged of mergeRows(view, partial)) {
      const complete = completeness.watermarkMs >= completeAtMs(view, merged);
      if (!complete) incompleteRows++;
      if (complete || request.includeIncomplete === true) rows.push(logicalRow(view, merged));
    }
    return { view: spec.name, rows: sortRows(spec, rows), completeness, incompleteRows, files };
  }
}
