/** The live summary as text lines (pure, so the screen code only decides where they go). */
import { viewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { JobLine, SummaryState, ViewPanel } from './live-summary.ts';

const count = (value: number): string => Math.round(value).toLocaleString('en-US');

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function duration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  return minutes < 60
    ? `${minutes}m${String(whole % 60).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Columns padded to their widest cell; text columns left-aligned, numbers right-aligned. */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  leftAligned: readonly boolean[],
): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (leftAligned[i] === true ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function jobRow(job: JobLine): string[] {
  return [
    job.job,
    job.state,
    count(job.recordsPerS),
    count(job.accepted),
    count(job.rejected),
    job.lag === null ? '?' : count(job.lag),
    job.lastCommitAgeS === null ? '-' : `${duration(job.lastCommitAgeS)} ago`,
    job.completenessLagS === null ? 'waiting' : duration(job.completenessLagS),
  ];
}

function cell(value: ViewRow[string] | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(2);
  return String(value);
}

function viewLines(panel: ViewPanel): string[] {
  const w = Number.isFinite(panel.watermarkMs)
    ? clock(panel.watermarkMs)
    : 'not yet (a partition has no checkpoint)';
  const title = `${panel.view}  (latest complete rows; W = ${w})`;
  if (panel.rows.length === 0)
    return [title, '  no complete window yet: rows appear once W passes a window end'];
  const header = ['window (UTC)', ...panel.columns];
  const rows = panel.rows.map((row) => [
    `${clock(Number(row.window_start)).slice(0, 5)}–${clock(Number(row.window_end)).slice(0, 5)}`,
    ...panel.columns.map((column) => cell(row[column])),
  ]);
  const types = new Map(viewSpec(panel.view).columns.map(({ name, type }) => [name, type]));
  const leftAligned = [true, ...panel.columns.map((column) => types.get(column) === 'string')];
  return [title, ...table(header, rows, leftAligned).map((line) => `  ${line}`)];
}

/** The raw archive filling, the batch layer's days, and where the query API answers. */
function layerLines(state: SummaryState): string[] {
  const megabytes = (state.archive.bytes / 1_048_576).toFixed(1);
  const lines = [
    `raw archive: ${count(state.archive.files)} files, ${megabytes} MB (every accepted and late event)`,
  ];
  if (state.batch !== null) {
    const days = state.batch.days.map(({ day, times, differing, equal, pastMargin }) => {
      const notes = [
        ...(times > 1 ? [`computed ${times}×`] : []),
        ...(differing === null ? [] : [`rows equal ${count(equal!)}, differing ${count(differing)}`]),
        ...(pastMargin ? [`${count(pastMargin)} sessions cut by the margin`] : []),
      ];
      return notes.length === 0 ? day : `${day} (${notes.join('; ')})`;
    });
    lines.push(
      days.length === 0
        ? 'batch: no closed day yet (a UTC day closes an hour after its midnight; see --backfill)'
        : `batch: computed ${days.join(', ')}`,
    );
  }
  if (state.serveUrl !== undefined) lines.push(`serve: ${state.serveUrl}/v1/views`);
  if (state.serveUrl !== undefined) lines.push(`dashboard: ${state.serveUrl}/ (open in a browser)`);
  return lines;
}

export function renderSummary(state: SummaryState, footer: string): string[] {
  const generator =
    state.generator === null
      ? 'generator off'
      : `generator ${count(state.generator.ratePerS)} rec/s target, ${count(state.generator.records)} sent`;
  const lines = [
    `speed-layer start · ${duration((state.atMs - state.startedAtMs) / 1000)} elapsed · ${clock(state.atMs)} UTC · ${generator}`,
    '',
    ...table(
      ['job', 'state', 'rec/s', 'accepted', 'rejected', 'lag', 'last commit', 'W behind'],
      state.jobs.map(jobRow),
      [true, true],
    ),
  ];
  for (const panel of state.views) lines.push('', ...viewLines(panel));
  lines.push('', ...layerLines(state));
  lines.push(
    '',
    `logs: ${state.logFile}${state.httpUrl === undefined ? '' : ` · metrics: ${state.httpUrl}/metrics`}`,
    footer,
  );
  return lines;
}
