/**
 * What the live summary of `npm start` shows, gathered every refresh: per job its state, records/s,
 * accepted/rejected, consumer lag, last commit age and how far its completeness watermark W trails the
 * wall clock; per featured view the latest complete rows, read back from storage with the query module
 * (so the screen shows what any reader of `realtime_views/` would see).
 */
import { JOBS } from '../events/topics.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { ViewQuery } from '../processor/query/index.ts';
import type { RunningJobs } from '../processor/runner/supervisor.ts';
import type { BatchStatus } from './batch-status.ts';
import { recordsPerS, sampleCounts, type CountSample } from './job-rates.ts';

export interface JobLine {
  job: string;
  state: string;
  recordsPerS: number;
  accepted: number;
  rejected: number;
  /** null while unknown (the job is starting or restarting). */
  lag: number | null;
  lastCommitAgeS: number | null;
  /** Wall clock minus W, or null while some partition has no commit (W = −∞). */
  completenessLagS: number | null;
}

export interface ViewPanel {
  view: string;
  /** W of the view's job (−∞ before every partition committed). */
  watermarkMs: number;
  columns: string[];
  rows: ViewRow[];
}

/** The raw archive so far: files the completions gathered, and their bytes. */
export interface ArchiveLine {
  files: number;
  bytes: number;
}

export interface SummaryState {
  atMs: number;
  startedAtMs: number;
  generator: { records: number; ratePerS: number } | null;
  jobs: JobLine[];
  views: ViewPanel[];
  logFile: string;
  httpUrl: string | undefined;
  archive: ArchiveLine;
  batch: BatchStatus | null;
  serveUrl: string | undefined;
}

/** From the runner's published-file histogram: count and sum of the raw tree's files. */
async function archiveLine(metrics: RunningJobs['metrics']): Promise<ArchiveLine> {
  const line: ArchiveLine = { files: 0, bytes: 0 };
  for (const { metricName, labels, value } of (await metrics.publishedFileBytes.get()).values) {
    if (labels.tree !== 'raw') continue;
    if (metricName?.endsWith('_count') === true) line.files += value;
    if (metricName?.endsWith('_sum') === true) line.bytes += value;
  }
  return line;
}

/** A featured view: which columns to show and which of the latest complete rows. */
interface Featured {
  view: string;
  columns: string[];
  /** `windows`: the last `limit` rows (one per window); `top`: the latest window's rows, largest `by` first. */
  pick: { kind: 'windows'; limit: number } | { kind: 'top'; by: string; limit: number };
}

export const FEATURED_VIEWS: readonly Featured[] = [
  {
    view: 'auth_realtime_active_users_1min',
    columns: ['active_users', 'events'],
    pick: { kind: 'windows', limit: 3 },
  },
  {
    view: 'video_realtime_popular_videos',
    columns: ['rank', 'video_id', 'plays', 'viewers'],
    pick: { kind: 'top', by: 'plays', limit: 5 },
  },
  {
    view: 'course_realtime_active_courses_1min',
    columns: ['course_id', 'interactions', 'active_users'],
    pick: { kind: 'top', by: 'interactions', limit: 5 },
  },
];

/** How far back the summary reads rows: enough for any backfill it is likely to be run with. */
const LOOKBACK_MS = 3 * 3_600_000;

export function pickRows(rows: readonly ViewRow[], pick: Featured['pick']): ViewRow[] {
  if (rows.length === 0) return [];
  if (pick.kind === 'windows') return rows.slice(-pick.limit);
  const latestMs = Math.max(...rows.map((row) => Number(row.window_start)));
  return rows
    .filter((row) => Number(row.window_start) === latestMs)
    .sort((a, b) => Number(b[pick.by]) - Number(a[pick.by]))
    .slice(0, pick.limit);
}

export class LiveSummary {
  private previous: CountSample | undefined;

  constructor(
    private readonly running: RunningJobs,
    private readonly query: ViewQuery,
    private readonly info: {
      startedAtMs: number;
      logFile: string;
      generator: () => { records: number; ratePerS: number } | null;
      batch?: () => BatchStatus;
      serveUrl?: string;
    },
  ) {}

  async collect(nowMs = Date.now()): Promise<SummaryState> {
    const sample = await sampleCounts(this.running.metrics, nowMs);
    const health = this.running.health();
    const jobs: JobLine[] = [];
    for (const job of JOBS) {
      const jobHealth = health[job];
      if (jobHealth === undefined) continue;
      const { watermarkMs } = await this.query.jobCompleteness(job);
      const counts = sample.byJob.get(job) ?? { records: 0, accepted: 0, rejected: 0 };
      jobs.push({
        job,
        state: jobHealth.state,
        recordsPerS: recordsPerS(job, this.previous, sample),
        accepted: counts.accepted,
        rejected: counts.rejected,
        lag: jobHealth.lag,
        lastCommitAgeS: jobHealth.lastCommitAgeSeconds,
        completenessLagS: Number.isFinite(watermarkMs) ? Math.max(0, (nowMs - watermarkMs) / 1000) : null,
      });
    }
    this.previous = sample;
    const views: ViewPanel[] = [];
    for (const { view, columns, pick } of FEATURED_VIEWS) {
      const result = await this.query.query({ view, fromMs: nowMs - LOOKBACK_MS });
      views.push({
        view,
        watermarkMs: result.completeness.watermarkMs,
        columns,
        rows: pickRows(result.rows, pick),
      });
    }
    return {
      atMs: nowMs,
      startedAtMs: this.info.startedAtMs,
      generator: this.info.generator(),
      jobs,
      views,
      logFile: this.info.logFile,
      httpUrl: this.running.httpUrl,
      archive: await archiveLine(this.running.metrics),
      batch: this.info.batch?.() ?? null,
      serveUrl: this.info.serveUrl,
    };
  }
}
