/**
 * The two layers `npm start` runs beside the jobs: the batch layer, every `batchEveryMs`, computing each
 * UTC day that has closed (and reconciling it against the speed layer), and `serve`, the query API over
 * both. With a live start a day closes an hour after its midnight; `--backfill 26h` gives one sooner.
 */
import type { Logger } from 'pino';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { runBatchEvery } from '../batch/batch-loop.ts';
import type { ReconciliationReport } from '../batch/reconcile-report.ts';
import type { Settings } from '../processor/runtime/settings.ts';
import { layoutOf } from '../processor/runtime/settings.ts';
import { startServe } from '../serving/run-serve.ts';
import { provisionalTopic } from '../processor/io/provisional-message.ts';
import { provisionalLookbackMs } from '../serving/provisional-feed.ts';
import type { KafkaEndpoint } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import type { ObjectStore } from '../storage/object-store.ts';

/** What the summary shows of the batch layer. */
export interface BatchStatus {
  /** Days computed since start, oldest first, each with its reconciliation when there is one. */
  days: { day: string; differing: number | null; equal: number | null }[];
  /** The loop's last progress line. */
  last: string | undefined;
}

export interface BatchAndServe {
  serveUrl: string;
  batch(): BatchStatus;
  stop(): Promise<void>;
}

export async function startBatchAndServe(options: {
  store: ObjectStore;
  settings: Settings;
  logger: Logger;
  batchEveryMs: number;
  servePort: number;
  /** The jobs' /healthz base URL, for the dashboard's health panel. */
  jobsUrl?: string;
  /** The jobs' Kafka: serve reads their provisional rows (when the settings publish them). */
  kafka?: KafkaEndpoint;
}): Promise<BatchAndServe> {
  const { store, settings, logger } = options;
  const batchLayout = batchLayoutOf(settings);
  const serve = await startServe({
    store,
    layout: layoutOf(settings),
    batchLayout,
    host: settings.httpHost,
    port: options.servePort,
    jobsUrl: options.jobsUrl,
    ...(options.kafka !== undefined && settings.provisional
      ? {
          provisional: {
            kafka: createKafka(options.kafka, 'lms-speed-layer-serve', logger),
            topic: provisionalTopic(settings.topicPrefix),
            lookbackMs: provisionalLookbackMs({
              sessionGapMs: settings.sessionGap,
              watermarkDelayMs: settings.watermarkDelay,
            }),
          },
        }
      : {}),
    logger,
  });
  const status: BatchStatus = { days: [], last: undefined };
  const onReconciled = (report: ReconciliationReport): void => {
    const views = Object.values(report.views);
    const sum = (field: 'differing' | 'equal'): number =>
      views.reduce((total, view) => total + view[field], 0);
    const day = status.days.find((entry) => entry.day === report.day);
    if (day !== undefined) Object.assign(day, { differing: sum('differing'), equal: sum('equal') });
  };
  const abort = new AbortController();
  const loop = runBatchEvery(
    {
      store,
      layout: batchLayout,
      sessionGapMs: settings.sessionGap,
      onReconciled,
      progress: (line) => {
        status.last = line;
        logger.info({ batch: line }, 'batch');
        const computed = /^day (\d{4}-\d{2}-\d{2}) \(/.exec(line);
        if (computed !== null) status.days.push({ day: computed[1]!, differing: null, equal: null });
      },
    },
    options.batchEveryMs,
    abort.signal,
    (line) => logger.warn({ batch: line }, 'batch round failed'),
  ).catch((error: unknown) => logger.error({ err: error }, 'batch loop ended'));
  return {
    serveUrl: serve.url,
    batch: () => status,
    stop: async () => {
      abort.abort();
      await loop;
      await serve.close();
    },
  };
}
