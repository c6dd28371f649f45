/**
 * Scenario 3, sustained: all five jobs running while a generator (its own process) produces a fixed
 * live rate over all six topics for a while. Every second: lag (runner health), this process's RSS and
 * the generator's. Then: processing latency (record timestamp → batch committed; the runner's exact
 * recorder), completeness latency (completion time + D → complete row visible in the views tree; the
 * runner's histogram), whether the jobs kept up, and the rows final by the end of the run against the
 * oracle.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Histogram } from 'prom-client';
import { startJobs, type RunningJobs } from '../processor/runner/supervisor.ts';
import { startSustainedInput } from './generator-process.ts';
import { archivedEvents, filesPerView, recordTreeFiles } from './file-stats.ts';
import { histogramQuantiles } from './histogram.ts';
import { keepUp } from './keep-up.ts';
import type { LoadContext, ScenarioResult } from './load-context.ts';
import { CountingStore, requestsPerMinute } from './counting-store.ts';
import { createLoadTopics, jobsRun, runSettings } from './load-fixture.ts';
import { processRssBytes } from './machine.ts';
import { checkFinalRows, oracleOf } from './oracle-check.ts';
import { waitCompleteThrough } from './complete-through.ts';
import { progressBar } from './progress-bar.ts';
import { ResourceMeter, round } from './resource-meter.ts';
import {
  startServeSideApart,
  startServeSideHere,
  type ServeSide,
  type ServeSideResult,
} from './serve-side.ts';
import { sustainedProcessesScenario } from './sustained-processes.ts';
import { waitUntil } from './wait-until.ts';
import { reportSustained, type Sample, type StoreRequests } from './sustained-report.ts';

const IDLE_TIMEOUT = '5s';
const CUTOFF_AFTER_STOP_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024 ** 2;

function totalLag(running: RunningJobs): number {
  return Object.values(running.health()).reduce((sum, health) => sum + (health.lag ?? 0), 0);
}

export async function sustainedScenario(context: LoadContext): Promise<ScenarioResult> {
  if (context.params.jobProcesses) return sustainedProcessesScenario(context);
  const { params, endpoints } = context;
  const topics = await createLoadTopics(endpoints);
  const run = jobsRun(endpoints, topics, 'sustained', params.rawArchive, params.provisional);
  const settings = runSettings(run, { idleTimeout: IDLE_TIMEOUT });
  const meter = new ResourceMeter(context.stackPids);
  const store = new CountingStore(run.store);
  const running = await startJobs({ settings, endpoints, jobs: params.jobs, store });
  const requests: Partial<StoreRequests> = {};
  const samples: Sample[] = [];
  let cutoffMs = NaN;
  let achievedPerS = 0;
  let generatorProgress: readonly { records: number; atMs: number }[] = [];
  // Stalls of the jobs' event loop (long synchronous work) show up here before anywhere else.
  const eventLoop = monitorEventLoopDelay({ resolution: 20 });
  eventLoop.enable();
  const eventLoopEachSecond = monitorEventLoopDelay({ resolution: 20 });
  eventLoopEachSecond.enable();
  let drainS = NaN;
  let serveSide: ServeSide | undefined;
  let read: ServeSideResult = { freshness: null, sse: null, loopDelayMs: null };
  try {
    await waitUntil(
      'the jobs to start',
      () => Object.values(running.health()).every((h) => h.state === 'running'),
      120_000,
    );
    serveSide = params.serveApart
      ? await startServeSideApart({
          endpoints,
          run,
          idleTimeout: IDLE_TIMEOUT,
          subscribers: params.sseSubscribers,
        })
      : await startServeSideHere(endpoints, run, settings, params.sseSubscribers);
    const generator = startSustainedInput(endpoints, topics, params);
    serveSide.measure(true);
    const bar = progressBar('sustained', Math.round((params.ratePerS * params.durationMs) / 1000));
    const startedMs = performance.now();
    const atStart = store.snapshot();
    let finished = false;
    const done = generator.done.finally(() => (finished = true));
    while (!finished) {
      const sample: Sample = {
        atS: round((performance.now() - startedMs) / 1000, 1),
        generated: generator.records,
        lag: totalLag(running),
        rssMiB: Math.round(meter.sample() / MiB),
        generatorRssMiB: Math.round(processRssBytes(generator.pid) / MiB),
        loopMaxMs: Math.round(eventLoopEachSecond.max / 1e6),
      };
      eventLoopEachSecond.reset();
      samples.push(sample);
      bar.update(sample.generated, `lag ${sample.lag}, RSS ${sample.rssMiB} MiB`);
      await Promise.race([sleep(1000), done.catch(() => undefined)]);
    }
    bar.stop();
    serveSide.measure(false);
    read = await serveSide.stop(); // as before: the subscribers' figures are of the input's time
    serveSide = undefined;
    const last = await done;
    // Compared: rows whose window ends by a minute after the stop, so every 1-min view has final rows
    // even in a short run; the idle rule (now − D) finalises them once now ≥ cutoff + D.
    cutoffMs = Date.now() + CUTOFF_AFTER_STOP_MS;
    achievedPerS = Math.round(last.records / (last.elapsedMs! / 1000));
    generatorProgress = generator.progress;
    requests.live = requestsPerMinute(atStart, store.snapshot(), performance.now() - startedMs);
    drainS = await waitUntil('the lag to drain', () => totalLag(running) === 0, 120_000);
    const drainedMs = performance.now();
    const atDrain = store.snapshot();
    const closeMs = CUTOFF_AFTER_STOP_MS + settings.watermarkDelay;
    const closing = progressBar('closing windows (1 min + D)', Math.round(closeMs / 1000), 's');
    await waitUntil(
      'every window before the stop to be final',
      () => {
        closing.update(Math.round((Date.now() - cutoffMs + CUTOFF_AFTER_STOP_MS) / 1000));
        return Date.now() >= cutoffMs + settings.watermarkDelay + 3000 && running.settled();
      },
      closeMs + 120_000,
    );
    // Published as far as the cutoff: completeness documents move every flush interval (60 s) at least.
    await waitCompleteThrough(run.store, run.layout, params.jobs, cutoffMs, 180_000);
    closing.stop();
    requests.idle = requestsPerMinute(atDrain, store.snapshot(), performance.now() - drainedMs);
  } finally {
    eventLoop.disable();
    eventLoopEachSecond.disable();
    await serveSide?.stop();
    await running.stop();
  }
  const eventLoopDelayMs = {
    p50: round(eventLoop.percentile(50) / 1e6),
    p99: round(eventLoop.percentile(99) / 1e6),
    max: round(eventLoop.max / 1e6),
  };
  const resources = meter.stop();
  const processing = Object.fromEntries(
    [0.5, 0.95, 0.99].map((q) => [q, running.processingLatencyMs(q)]),
  ) as Record<number, Record<string, number | null>>;
  const finality = await histogramQuantiles(
    running.metrics.finalityLatency as Histogram<string>,
    'job',
    [0.5, 0.95, 0.99],
  );
  const records = new Map<string, number>();
  for (const { labels, value } of (await running.metrics.recordsIn.get()).values) {
    records.set(String(labels.job), (records.get(String(labels.job)) ?? 0) + value);
  }

  const oracleStartedMs = performance.now();
  const oracle = await oracleOf(endpoints, topics, params.jobs);
  const files = await filesPerView(running.metrics.publishedFileBytes as Histogram<string>, oracle);
  const recordFiles = await recordTreeFiles(running.metrics.publishedFileBytes as Histogram<string>);
  const archived = await archivedEvents(running.metrics);
  const check = await checkFinalRows(
    run,
    oracle,
    cutoffMs,
    round((performance.now() - oracleStartedMs) / 1000, 1),
  );
  if (!check.ok)
    process.stderr.write(`[sustained] differs from the oracle:\n${check.differences.join('\n')}\n`);

  const verdict = keepUp({
    targetPerS: params.ratePerS,
    progress: generatorProgress,
    lags: samples.map((sample) => sample.lag),
    drainS: round(drainS, 1),
  });
  return reportSustained(params, {
    achievedPerS,
    verdict,
    samples,
    resources,
    eventLoopDelayMs,
    processingMs: processing,
    finalityS: finality,
    files,
    recordFiles,
    archived,
    records,
    check,
    requests: requests as StoreRequests,
    provisionalFreshnessMs: read.freshness,
    sse: read.sse,
    serveLoopDelayMs: read.loopDelayMs,
  });
}
