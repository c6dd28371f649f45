/**
 * `npm start` as a library: Kafka and S3 (the ones the settings name, or the local stack started here),
 * the five jobs, the generator feeding them live, the batch layer and the query API beside them
 * (batch-and-serve.ts), and the summary redrawn every refresh. The runner's logs
 * go to `logFile` so they do not fight the summary. stop() (Ctrl-C in the CLI) or the duration ends it:
 * generator first, then the jobs (they commit), then the stack, then the final summary frame.
 */
import { pino } from 'pino';
import { JOBS, TOPICS } from '../events/topics.ts';
import { S3ObjectStore } from '../storage/s3-object-store.ts';
import { ViewQuery } from '../processor/query/index.ts';
import { resolveEndpoints } from '../stack/resolve-endpoints.ts';
import { startJobs } from '../processor/runner/supervisor.ts';
import { createLogger } from '../processor/runtime/logger.ts';
import { layoutOf, type Settings } from '../processor/runtime/settings.ts';
import { describeS3, type StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { createS3Client } from '../stack/s3-client.ts';
import { ensureTopics } from '../stack/topics.ts';
import { startBatchAndServe } from './batch-and-serve.ts';
import { captureConsole } from './capture-console.ts';
import { startLiveGenerator, type LiveGenerator, type LiveGeneratorOptions } from './live-generator.ts';
import { LiveSummary, type SummaryState } from './live-summary.ts';
import { renderSummary } from './render-summary.ts';
import { SummaryScreen, type SummaryOutput } from './screen.ts';

export interface StartLiveOptions {
  settings: Settings;
  /** Services to use as they are; default: those the settings name, the missing ones started locally. */
  endpoints?: StackEndpoints;
  /** false: no generator (something else feeds the topics). */
  generator: false | Omit<LiveGeneratorOptions, 'endpoints' | 'topicPrefix'>;
  /** Stop by itself after this long. */
  durationMs?: number;
  logFile: string;
  output: SummaryOutput;
  /** Summary refresh; default 2 s. */
  refreshMs?: number;
  /** Off a terminal, a plain block at most this often; default 10 s. */
  plainEveryMs?: number;
  /** How often the batch layer looks for closed days; default 1 min. */
  batchEveryMs?: number;
  /** The query API's port; default 0 (any free port, printed). */
  servePort?: number;
}

export type StopReason = 'duration' | 'stopped' | 'failed';

export interface LiveOutcome {
  reason: StopReason;
  error?: unknown;
  summary: SummaryState | undefined;
}

export interface LiveRun {
  /** Stops everything cleanly; resolves when it has (same as `finished`). */
  stop(): Promise<LiveOutcome>;
  finished: Promise<LiveOutcome>;
  lastSummary(): SummaryState | undefined;
}

export async function startLive(options: StartLiveOptions): Promise<LiveRun> {
  const { settings, output } = options;
  const startedAtMs = Date.now();
  const say = (line: string): void => void output.write(`${line}\n`);
  const logger = createLogger({
    level: settings.logLevel,
    destination: pino.destination({ dest: options.logFile, mkdir: true, sync: true }),
  });
  say(`speed-layer start: logs go to ${options.logFile}`);
  const resolved = options.endpoints === undefined ? await resolveEndpoints(settings) : undefined;
  const endpoints = options.endpoints ?? resolved!.endpoints;
  const stopStack = resolved?.stop ?? (() => Promise.resolve());
  let generator: LiveGenerator | null = null;
  try {
    const admin = createKafka(endpoints.kafka, 'lms-start-setup').admin();
    await admin.connect();
    await ensureTopics(
      admin,
      endpoints.partitions,
      TOPICS.map((topic) => `${settings.topicPrefix}${topic}`),
    ).finally(() => admin.disconnect());
    const store = new S3ObjectStore(createS3Client(endpoints.s3), endpoints.s3.bucket, {
      endpoint: describeS3(endpoints.s3),
    });
    say(`starting ${JOBS.length} jobs on Kafka ${endpoints.kafka.brokers.join(',')} and ${store.url}`);
    const running = await startJobs({ settings, endpoints, store, logger });
    if (options.generator !== false) {
      generator = await startLiveGenerator({
        ...options.generator,
        endpoints,
        topicPrefix: settings.topicPrefix,
      }).catch(async (error: unknown) => {
        await running.stop();
        throw error;
      });
    }
    const layers = await startBatchAndServe({
      store,
      settings,
      logger,
      batchEveryMs: options.batchEveryMs ?? 60_000,
      servePort: options.servePort ?? 0,
      jobsUrl: running.httpUrl,
      kafka: endpoints.kafka,
    }).catch(async (error: unknown) => {
      await generator?.stop();
      await running.stop();
      throw error;
    });
    say(`serve: ${layers.serveUrl}/v1/views (the query API over the batch and speed layers)`);
    const layout = layoutOf(settings);
    const query = new ViewQuery(store, { layout });
    const ratePerS = options.generator === false ? 0 : options.generator.ratePerS;
    const summary = new LiveSummary(running, query, {
      startedAtMs,
      logFile: options.logFile,
      generator: () => (generator === null ? null : { records: generator.records, ratePerS }),
      batch: () => layers.batch(),
      serveUrl: layers.serveUrl,
    });
    const screen = new SummaryScreen(output, options.plainEveryMs ?? 10_000);
    const restoreConsole = screen.tty ? captureConsole(logger) : () => undefined;
    const footer =
      options.durationMs === undefined
        ? 'Ctrl-C stops everything cleanly'
        : `stops by itself after ${Math.round(options.durationMs / 1000)} s (Ctrl-C stops now)`;
    let latest: SummaryState | undefined;
    let refreshing: Promise<void> | undefined;
    const refresh = (final: string | undefined): Promise<void> =>
      (refreshing ??= summary
        .collect()
        .then(
          (state) => {
            latest = state;
            screen.show(renderSummary(state, final ?? footer), state.atMs, final !== undefined);
          },
          (error: unknown) => logger.warn({ err: error }, 'summary refresh failed'),
        )
        .finally(() => (refreshing = undefined)));
    const timer = setInterval(() => void refresh(undefined), options.refreshMs ?? 2000);
    void refresh(undefined);

    let resolveFinished: (outcome: LiveOutcome) => void = () => undefined;
    const finished = new Promise<LiveOutcome>((resolve) => (resolveFinished = resolve));
    let stopping: Promise<LiveOutcome> | undefined;
    const stop = (reason: StopReason, error?: unknown): Promise<LiveOutcome> =>
      (stopping ??= (async () => {
        clearInterval(timer);
        clearTimeout(durationTimer);
        await refreshing;
        await generator?.stop();
        await layers.stop();
        await running.stop();
        const why = error === undefined ? reason : `${reason}: ${(error as Error).message}`;
        await refresh(`stopped (${why}); jobs committed, stopping the stack`);
        restoreConsole();
        await stopStack();
        logger.info({ reason }, 'start: stopped');
        logger.flush();
        const outcome: LiveOutcome = { reason, ...(error === undefined ? {} : { error }), summary: latest };
        resolveFinished(outcome);
        return outcome;
      })());
    const durationTimer =
      options.durationMs === undefined
        ? undefined
        : setTimeout(() => void stop('duration'), options.durationMs);
    running.failed.catch((error: unknown) => void stop('failed', error));
    return { stop: () => stop('stopped'), finished, lastSummary: () => latest };
  } catch (error) {
    await generator?.stop().catch(() => undefined);
    await stopStack();
    logger.flush();
    throw error;
  }
}
