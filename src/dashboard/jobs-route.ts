/**
 * `GET /v1/jobs`: the processor's health as the dashboard shows it, read from the `/healthz` and
 * `/metrics` of a `speed-layer run` process (`jobsUrl`, its HTTP base URL). Per job: state, lag, last
 * commit age, caught up, records/s (the counter's change since this route's previous read) and dead
 * letters by reason. A short timeout, so a hung runner never holds a dashboard request: then the status
 * is `unreachable`. Without a `jobsUrl` the answer is an empty list that says so (200, not 404: the
 * route exists, nothing is wired).
 */
import type { FastifyInstance } from 'fastify';
import type { JobHealth } from '../processor/runtime/http-server.ts';
import { METRIC_PREFIX } from '../processor/runtime/metrics.ts';
import { parsePrometheusText, sumBy, type MetricSample } from './prometheus-text.ts';

export interface JobsRouteOptions {
  /** Base URL of the run process's health endpoints, e.g. `http://127.0.0.1:9464`. */
  jobsUrl?: string;
  /** Both reads must answer within this; default 2000 ms. */
  timeoutMs?: number;
}

export interface JobStatus {
  job: string;
  state: JobHealth['state'];
  lag: number | null;
  last_commit_age_s: number | null;
  caught_up: boolean | null;
  /** null on the first read (a rate needs two). */
  records_per_s: number | null;
  dead_letters: Record<string, number>;
  problem: string | null;
}

interface CounterRead {
  atMs: number;
  recordsByJob: Map<string, number>;
}

/** Per-job rows from one health answer and the metrics read beside it (pure: tested without HTTP). */
export function jobStatuses(
  health: Record<string, JobHealth>,
  samples: readonly MetricSample[],
  now: CounterRead,
  previous: CounterRead | undefined,
): JobStatus[] {
  const rejected = samples.filter((sample) => sample.name === `${METRIC_PREFIX}events_rejected_total`);
  return Object.entries(health).map(([job, status]) => {
    const deadLetters: Record<string, number> = {};
    for (const sample of rejected) {
      if (sample.labels.job !== job) continue;
      const reason = sample.labels.reason ?? 'unknown';
      deadLetters[reason] = (deadLetters[reason] ?? 0) + sample.value;
    }
    const records = now.recordsByJob.get(job);
    const before = previous?.recordsByJob.get(job);
    const seconds = previous === undefined ? 0 : (now.atMs - previous.atMs) / 1000;
    return {
      job,
      state: status.state,
      lag: status.lag,
      last_commit_age_s: status.lastCommitAgeSeconds,
      caught_up: status.caughtUp ?? null,
      // A counter that went down is a restarted process: no rate from that pair.
      records_per_s:
        records === undefined || before === undefined || seconds <= 0 || records < before
          ? null
          : (records - before) / seconds,
      dead_letters: deadLetters,
      problem: status.problem ?? null,
    };
  });
}

async function read(url: string, timeoutMs: number): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: '*/*' } });
}

/** The base URL without a trailing slash; checked once, so a typo fails at start, not per request. */
function jobsBase(jobsUrl: string): string {
  let url: URL;
  try {
    url = new URL(jobsUrl);
  } catch {
    throw new Error(`jobsUrl: "${jobsUrl}" is not a URL (e.g. http://127.0.0.1:9464)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`jobsUrl: "${jobsUrl}" must be an http(s) URL`);
  return url.href.replace(/\/+$/, '');
}

export function registerJobsRoute(server: FastifyInstance, options: JobsRouteOptions): void {
  const timeoutMs = options.timeoutMs ?? 2000;
  const base = options.jobsUrl === undefined ? undefined : jobsBase(options.jobsUrl);
  let previous: CounterRead | undefined;
  server.get(
    '/v1/jobs',
    { schema: { summary: 'Per-job health of the processor (the run process named by --jobs-url)' } },
    async () => {
      if (base === undefined) return { configured: false, status: null, jobs: [] };
      try {
        const [healthAnswer, metricsAnswer] = await Promise.all([
          read(`${base}/healthz`, timeoutMs),
          read(`${base}/metrics`, timeoutMs),
        ]);
        // 503 is an answer too: a job is down or stalled, and the body says which.
        const health = (await healthAnswer.json()) as { status: string; jobs: Record<string, JobHealth> };
        const samples = metricsAnswer.ok ? parsePrometheusText(await metricsAnswer.text()) : [];
        const now = {
          atMs: Date.now(),
          recordsByJob: sumBy(samples, `${METRIC_PREFIX}records_ingested_total`, 'job'),
        };
        const jobs = jobStatuses(health.jobs ?? {}, samples, now, previous);
        previous = now;
        return { configured: true, status: health.status, jobs };
      } catch (error) {
        // Not answering is a state of the processor (as Prometheus' up = 0), not a failure of this route.
        const why =
          (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'no answer';
        return { configured: true, status: 'unreachable', jobs: [], message: `${base}/healthz: ${why}` };
      }
    },
  );
}
