/**
 * The two layers `npm start` runs beside the jobs: the batch layer, every `batchEveryMs`, computing each
 * UTC day that has closed (and reconciling it against the speed layer), and `serve`, the query API over
 * both. With a live start a day closes an hour after its midnight; `--backfill 26h` gives one sooner.
 */
import type { Logger } from 'pino';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { runBatchEvery } from '../batch/batch-loop.ts';
import type { Settings } from '../processor/runtime/settings.ts';
import { layoutOf } from '../processor/runtime/settings.ts';
import { startServe } from '../serving/run-serve.ts';
import { provisionalTopic } from '../processor/io/provisional-message.ts';
import { provisionalLookbackMs } from '../serving/provisional-feed.ts';
import type { KafkaEndpoint } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { noteBatchLine, noteReconciled, type BatchStatus } from './batch-status.ts';
import type { ObjectStore } from '../storage/object-store.ts';

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
  const abort = new AbortController();
  const loop = runBatchEvery(
    {
      store,
      layout: batchLayout,
      sessionGapMs: settings.sessionGap,
      onReconciled: (report) => noteReconciled(status, report),
      progress: (line) => {
        noteBatchLine(status, line);
        logger.info({ batch: line }, 'batch');
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
