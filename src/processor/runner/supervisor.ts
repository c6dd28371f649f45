/**
 * `startJobs`: every requested job in this process, each restarted with exponential backoff when it
 * crashes (a job that fails for good — missing topics, a retention gap, refused credentials, too many
 * failures in a row: job-slot.ts — fails the whole run), plus the HTTP endpoints. The programmatic API under `speed-layer run`, `npm start` and `query`.
 */
import type { Logger } from 'pino';
import { JOBS, JOB_TOPICS, type JobName } from '../../events/topics.ts';
import { describeS3, type StackEndpoints } from '../../stack/endpoints.ts';
import { createKafka } from '../../stack/kafka-client.ts';
import { createS3Client } from '../../stack/s3-client.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { S3ObjectStore } from '../../storage/s3-object-store.ts';
import type { FastifyInstance } from 'fastify';
import { startHttpServer, type JobHealth } from '../runtime/http-server.ts';
import { createLogger } from '../runtime/logger.ts';
import { meteredStore } from '../runtime/metered-store.ts';
import { createMetrics, type Metrics } from '../runtime/metrics.ts';
import { layoutOf, type Settings } from '../runtime/settings.ts';
import { JobRunner } from './job-runner.ts';
import { provisionalTopic } from '../io/provisional-message.ts';
import { ProvisionalChannel } from './provisional-channel.ts';
import { ProvisionalPublisher } from './provisional-publisher.ts';
import { brokerLag } from './broker-lag.ts';
import { dependencyProbe } from './dependency-probe.ts';
import { JobSlot, type SlotPolicy } from './job-slot.ts';
import { jobViews } from './job-views.ts';
import { RunnerError } from './runner-error.ts';

/** What a stop keeps of its deadline for leaving the group and disconnecting. */
const LEAVE_GROUP_RESERVE_MS = 2000;

export interface StartJobsOptions {
  settings: Settings;
  /** Default: all five. */
  jobs?: readonly JobName[];
  endpoints: StackEndpoints;
  /** Default: the settings' bucket on the endpoints' S3. */
  store?: ObjectStore;
  logger?: Logger;
  metrics?: Metrics;
  /** Serve /healthz, /readyz, /metrics on settings.httpHost:httpPort (default true). */
  http?: boolean;
  /** Names this process's checkpoints (default random per job start). */
  writerIdPrefix?: string;
}

export interface RunningJobs {
  /** Stops fetching, finishes or abandons the batch in flight, commits, leaves the groups. */
  stop(): Promise<void>;
  health(): Record<string, JobHealth>;
  /** Rejects when a job fails for good; never resolves otherwise. */
  failed: Promise<never>;
  /** `http://127.0.0.1:<port>` when HTTP is on. */
  httpUrl: string | undefined;
  metrics: Metrics;
  /** Every job caught up, idle and fully committed (see JobRunner.settled): used after a fixed backlog. */
  settled(): boolean;
  /** Every job read what its topics held when its runner started (JobRunner.reachedStartEnds). */
  availableNowDone(): boolean;
  /** Processing-latency quantile (ms, 10 ms resolution) over all jobs' commits so far, or null. */
  processingLatencyMs(q: number): Record<string, number | null>;
}

export async function startJobs(options: StartJobsOptions): Promise<RunningJobs> {
  const { settings, endpoints } = options;
  const jobs = options.jobs ?? JOBS;
  const logger =
    options.logger ?? createLogger({ level: settings.logLevel, format: settings.logFormat as never });
  const metrics = options.metrics ?? createMetrics();
  const store = meteredStore(
    options.store ??
      new S3ObjectStore(createS3Client(endpoints.s3), endpoints.s3.bucket, {
        endpoint: describeS3(endpoints.s3),
      }),
    metrics.storeRequests,
  );
  const layout = layoutOf(settings);
  const kafka = createKafka(endpoints.kafka, 'lms-speed-layer', logger);
  let rejectFailed: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (rejectFailed = reject));
  failed.catch(() => undefined); // callers that never look must not see an unhandled rejection

  const storeWhere =
    options.store === undefined
      ? `object store ${store.url} at ${describeS3(endpoints.s3)}`
      : `object store ${store.url}`;
  const kafkaWhere = `Kafka ${endpoints.kafka.brokers.join(',')}`;
  const channel = settings.provisional
    ? new ProvisionalChannel(kafka, provisionalTopic(settings.topicPrefix), logger)
    : undefined;
  const probe = dependencyProbe(kafka, store, `${layout.checkpointsPrefix}.probe`);
  const slots = new Map<JobName, JobSlot>();
  for (const job of jobs) {
    const views = jobViews(job);
    const create = (): JobRunner =>
      new JobRunner({
        job,
        views,
        store,
        layout,
        ...(options.writerIdPrefix === undefined ? {} : { writerId: `${options.writerIdPrefix}${job}` }),
        watermarkDelayMs: settings.watermarkDelay,
        sessionGapMs: settings.sessionGap,
        idleTimeoutMs: settings.idleTimeout,
        keepCheckpoints: settings.keepCheckpoints,
        commitGroups: settings.commitGroups,
        partitions: settings.partitions,
        flushIntervalMs: settings.flushInterval,
        rawArchive: settings.rawArchive,
        metrics,
        logger,
        kafka,
        topicPrefix: settings.topicPrefix,
        groupId: `${settings.groupIdPrefix}${job}`,
        sessionTimeoutMs: settings.sessionTimeout,
        maxOffsetsPerTrigger: settings.maxOffsetsPerTrigger,
        triggerIntervalMs: settings.triggerInterval,
        commitIntervalMs: settings.commitInterval,
        commitLogRate: settings.commitLogRate,
        // Leave the group before the stop deadline exits the process (its partitions move at once).
        stopBudgetMs: Math.max(1000, settings.stopDeadline - LEAVE_GROUP_RESERVE_MS),
        resetOnGap: settings.resetOnGap,
        ...(channel === undefined
          ? {}
          : {
              provisional: new ProvisionalPublisher({
                channel,
                job,
                intervalMs: settings.provisionalInterval,
                logger: logger.child({ job }),
              }),
            }),
      });
    const policy: SlotPolicy = {
      job,
      maxRestarts: settings.maxRestarts,
      describe: (dependency) => (dependency === 'storage' ? storeWhere : kafkaWhere),
      probe,
      onFailure: ({ dependency, code }) => metrics.jobFailures.inc({ job, dependency, code }),
      onRestart: () => metrics.jobRestarts.inc({ job }),
      brokerLag: () =>
        brokerLag(
          kafka,
          `${settings.groupIdPrefix}${job}`,
          JOB_TOPICS[job].map((topic) => `${settings.topicPrefix}${topic}`),
        ),
    };
    slots.set(job, new JobSlot(create, logger.child({ job }), (error) => rejectFailed(error), policy));
  }
  const health = (): Record<string, JobHealth> => {
    const nowMs = Date.now();
    return Object.fromEntries([...slots].map(([job, slot]) => [job, slot.health(nowMs)]));
  };
  metrics.setHealthSource(health);
  // The port first: a second instance on the host must fail before it joins the groups and moves the
  // first one's partitions.
  const http = options.http === false ? undefined : await listenHttp(settings, metrics, health);
  try {
    await Promise.all([...slots.values()].map((slot) => slot.start()));
  } catch (error) {
    await http?.server.close();
    throw error;
  }
  logger.info({ jobs, http: http?.url }, 'jobs started');

  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        await Promise.allSettled([...slots.values()].map((slot) => slot.stop()));
        await channel?.close();
        await http?.server.close();
        logger.info('jobs stopped');
      })()),
    health,
    settled: () => [...slots.values()].every((slot) => !slot.restarting && slot.runner?.settled === true),
    availableNowDone: () =>
      [...slots.values()].every((slot) => !slot.restarting && slot.runner?.reachedStartEnds === true),
    failed,
    httpUrl: http?.url,
    metrics,
    processingLatencyMs: (q) =>
      Object.fromEntries(
        [...slots].map(([job, slot]) => [job, slot.runner?.state.latency.quantileMs(q) ?? null]),
      ),
  };
}

async function listenHttp(
  settings: Settings,
  metrics: Metrics,
  health: () => Record<string, JobHealth>,
): Promise<{ server: FastifyInstance; url: string }> {
  const { httpHost: host, httpPort: port } = settings;
  try {
    return await startHttpServer({
      host,
      port,
      registry: metrics.registry,
      health: {
        jobs: health,
        stalledAfterSeconds: settings.stalledAfter / 1000,
        commitTimeoutSeconds: settings.commitTimeout / 1000,
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new RunnerError(
      'http_port',
      `HTTP port ${port} on ${host} is in use (another instance on this host?): set --http-port or ` +
        'HTTP_PORT, 0 for any free port',
      { cause: error },
    );
  }
}
