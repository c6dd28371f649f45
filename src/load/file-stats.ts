/**
 * How many files the jobs published per view and how big, from the runner's `published_file_bytes`
 * histogram: in the partials tree (one file per view, date and commit with final rows — what the views
 * tree held before it held complete rows only) and in the views tree (complete rows, per the flush policy).
 */
import type { Histogram } from 'prom-client';
import type { Metrics } from '../processor/runtime/metrics.ts';
import { VIEW_NAMES, viewSpec, type ViewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { ViewResult } from '../events/view-result.ts';
import { histogramQuantiles } from './histogram.ts';

export interface TreeFiles {
  files: number;
  totalBytes: number;
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
  const sums = new Map<string, number>();
  const { values } = await histogram.get();
  for (const { metricName, labels, value } of values)
    if (metricName?.endsWith('_sum') && inTree(labels)) sums.set(String(labels.dataset), value);
  for (const { metricName, labels, value } of values) {
    if (!metricName?.endsWith('_count') || !inTree(labels)) continue;
    const dataset = String(labels.dataset);
    const totalBytes = sums.get(dataset) ?? 0;
    files.set(dataset, { files: value, totalBytes, medianBytes: medians.get(dataset)?.[0] ?? null });
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
  const none: TreeFiles = { files: 0, totalBytes: 0, medianBytes: null };
  const names = new Set<string>(VIEW_NAMES); // the partials tree also holds pending dead letters and archive lines
  const seen = [...new Set([...partials.keys(), ...views.keys()])].filter((name) => names.has(name));
  return seen.sort().map((view) => ({
    view,
    spanHours: spanHours(viewSpec(view), data.rowsByView.get(view) ?? []),
    partials: partials.get(view) ?? none,
    views: views.get(view) ?? none,
  }));
}

/** The record trees' files by topic: the raw archive and the dead letters, as completions gathered them. */
export interface RecordTreeFiles {
  tree: string;
  topic: string;
  files: TreeFiles;
}

export async function recordTreeFiles(histogram: Histogram<string>): Promise<RecordTreeFiles[]> {
  const out: RecordTreeFiles[] = [];
  for (const tree of ['raw', 'dead_letter']) {
    for (const [topic, files] of await treeFiles(histogram, tree)) out.push({ tree, topic, files });
  }
  return out.sort((a, b) => (a.tree + a.topic < b.tree + b.topic ? -1 : 1));
}

/** Topic → records the raw archive took: accepted, plus rejected as late. */
export async function archivedEvents(
  metrics: Pick<Metrics, 'accepted' | 'rejected'>,
): Promise<Map<string, number>> {
  const archived = new Map<string, number>();
  const add = (topic: unknown, value: number): void => {
    archived.set(String(topic), (archived.get(String(topic)) ?? 0) + value);
  };
  for (const { labels, value } of (await metrics.accepted.get()).values) add(labels.topic, value);
  for (const { labels, value } of (await metrics.rejected.get()).values)
    if (labels.reason === 'late') add(labels.topic, value);
  return archived;
}
