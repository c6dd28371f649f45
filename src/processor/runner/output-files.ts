/**
 * What one commit publishes: per view, the drained final rows as Parquet in the partials tree (catalog
 * columns plus the `_` merge columns; completion merges them into the views tree), the rejected records
 * as pending dead letters and the accepted and late records as pending archive lines (completion gathers
 * both into their trees), and retention gaps (with --reset-on-gap).
 */
import { viewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import type { AnyView } from '../engine/view-definition.ts';
import { deadLetterOutputFiles, type DeadLetter } from '../io/dead-letter.ts';
import {
  pendingDeadLetterPrefix,
  pendingRawPrefix,
  utcDate,
  type OutputFile,
  type StorageLayout,
} from '../../storage/layout.ts';
import type { ParquetColumn, ParquetRow } from '../../storage/parquet-columns.ts';
import { viewOutputFiles } from '../io/view-files.ts';

/** A stretch of offsets retention deleted before the job read them (recorded with --reset-on-gap). */
export interface OffsetGap {
  topic: string;
  partition: number;
  /** First missing offset (the checkpoint's next offset). */
  fromOffset: number;
  /** The log start offset the job resumed at. */
  toOffset: number;
  detectedAtMs: number;
}

/** The Parquet columns of a view's published rows: the catalog's, then its `_` merge columns. */
export function viewParquetColumns(view: AnyView): ParquetColumn[] {
  const columns: ParquetColumn[] = viewSpec(view.name).columns.map(({ name, type }) => ({ name, type }));
  // The engine keeps id sets and per-video counts as JSON text already: store that text as it is.
  for (const [name, type] of Object.entries(view.hiddenColumns)) {
    columns.push({ name, type: type === 'json' ? 'string' : type });
  }
  return columns;
}

/** What a commit publishes besides the final rows. */
export interface CommitRecords {
  rejections: readonly DeadLetter[];
  /** Pending archive lines by topic, NDJSON bytes. */
  archive?: ReadonlyMap<string, Buffer>;
  gaps: readonly OffsetGap[];
}

export function commitOutputFiles(
  views: readonly AnyView[],
  rowsByView: ReadonlyMap<string, ViewRow[]>,
  { rejections, archive = new Map(), gaps }: CommitRecords,
  layout: StorageLayout,
): OutputFile[] {
  const files: OutputFile[] = [];
  for (const view of views) {
    const rows = rowsByView.get(view.name) ?? [];
    if (rows.length > 0)
      files.push(
        ...viewOutputFiles(view.name, viewParquetColumns(view), rows as ParquetRow[], layout.partialsPrefix),
      );
  }
  files.push(
    ...deadLetterOutputFiles(rejections, { ...layout, deadLetterPrefix: pendingDeadLetterPrefix(layout) }),
  );
  for (const [topic, body] of archive) {
    if (body.length > 0)
      files.push({ dir: `${pendingRawPrefix(layout)}${topic}`, extension: 'ndjson', body });
  }
  if (gaps.length > 0) {
    // `.jsonl`, not `.ndjson`: readers of rejected records (readDeadLetters) skip them.
    const date = utcDate(gaps[0]!.detectedAtMs);
    const body = gaps.map((gap) => JSON.stringify(gap)).join('\n');
    files.push({
      dir: `${layout.deadLetterPrefix}_gaps/date=${date}`,
      extension: 'jsonl',
      body: Buffer.from(`${body}\n`),
    });
  }
  return files;
}
