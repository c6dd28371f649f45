/**
 * How many files the jobs published per view and how big, from the runner's `published_file_bytes`
 * histogram: in the partials tree (one file per view, date and commit with final rows — what the views
 * tree held before it held complete rows only) and in the views tree (complete rows, per the flush policy).
 */
import type { Histogram } from 'prom-client';
import { viewSpec, type ViewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { ViewResult } from '../events/view-result.ts';
import { histogramQuantiles } from './histogram.ts';

export interface TreeFiles {
  files: number;
  /** Interpolated inside the histogram's ×2 buckets. */
  medianBytes: number | null;
}

export interface ViewFiles {
  view: string;
  /** Event time the view's rows cover (first window start to last window end), in hours. */
  spanHours: number | null;
  partials: TreeFiles;
  views: TreeFiles;
}

async function treeFiles(histogram: Histogram<string>, tree: string): Promise<Map<string, TreeFiles>> {
  const inTree = (labels: Record<string, unknown>): boolean => labels.tree === tree;
  const medians = await histogramQuantiles(histogram, 'dataset', [0.5], inTree);
  const files = new Map<string, TreeFiles>();
  for (const { metricName, labels, value } of (await histogram.get()).values) {
    if (!metricName?.endsWith('_count') || !inTree(labels)) continue;
    const dataset = String(labels.dataset);
    files.set(dataset, { files: value, medianBytes: medians.get(dataset)?.[0] ?? null });
  }
  return files;
}

/** Hours of event time a view's rows cover: from the first start column to the last end column. */
export function spanHours(spec: ViewSpec, rows: readonly ViewRow[]): number | null {
  const [start, end] = spec.columns;
  if (rows.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    first = Math.min(first, Number(row[start!.name]));
    last = Math.max(last, Number(row[end!.name]));
  }
  return (last - first) / 3_600_000;
}

export async function filesPerView(histogram: Histogram<string>, data: ViewResult): Promise<ViewFiles[]> {
  const partials = await treeFiles(histogram, 'partials');
  const views = await treeFiles(histogram, 'views');
  const none: TreeFiles = { files: 0, medianBytes: null };
  return [...new Set([...partials.keys(), ...views.keys()])].sort().map((view) => ({
    view,
    spanHours: spanHours(viewSpec(view), data.rowsByView.get(view) ?? []),
    partials: partials.get(view) ?? none,
    views: views.get(view) ?? none,
  }));
}
