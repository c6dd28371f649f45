/**
 * Isolation for load scenarios, as the integration tests do it (test/integration/run-fixture.ts): each
 * scenario writes its own six topics (`l<id>.lms.*`, via topicPrefix) and each run of jobs over them has
 * its own consumer groups and storage prefixes (`load/<id>/<run>/...`), so nothing sees another's data.
 */
import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { JOB_TOPICS, TOPICS, type JobName, type Topic } from '../events/topics.ts';
import type { StorageLayout } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { S3ObjectStore } from '../storage/s3-object-store.ts';
import { flagOf, resolveSettings, type SettingName, type Settings } from '../processor/runtime/settings.ts';
import { describeS3, type StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { createS3Client } from '../stack/s3-client.ts';
import { ensureTopics } from '../stack/topics.ts';

const LEADER_WAIT_MS = 30_000;

/** Six topics of one scenario. */
export interface LoadTopics {
  id: string;
  topicPrefix: string;
}

/** One run of jobs over a scenario's topics: its own groups and output prefixes. */
export interface JobsRun extends LoadTopics {
  run: string;
  groupIdPrefix: string;
  layout: StorageLayout;
  store: ObjectStore;
  /** Whether the jobs archive every validated record (`--no-raw-archive` measures its cost). */
  rawArchive: boolean;
  /** Whether the jobs publish provisional rows (`--no-provisional` measures their cost). */
  provisional: boolean;
}

export async function createLoadTopics(endpoints: StackEndpoints): Promise<LoadTopics> {
  const id = randomBytes(4).toString('hex');
  const topicPrefix = `l${id}.`;
  const admin = createKafka(endpoints.kafka, 'load-setup').admin();
  await admin.connect();
  const names = TOPICS.map((topic) => `${topicPrefix}${topic}`);
  try {
    await ensureTopics(admin, endpoints.partitions, names);
    await waitForLeaders(admin, names);
  } finally {
    await admin.disconnect();
  }
  return { id, topicPrefix };
}

/**
 * A just-created topic can answer ListOffsets with NOT_LEADER_FOR_PARTITION for a moment, which crashes
 * (and restarts) a job started right away: wait until every topic answers.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadlineMs = Date.now() + LEADER_WAIT_MS;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        if (Date.now() > deadlineMs) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

export function jobsRun(
  endpoints: StackEndpoints,
  topics: LoadTopics,
  run: string,
  rawArchive = true,
  provisional = true,
): JobsRun {
  const root = `load/${topics.id}/${run}/`;
  return {
    ...topics,
    run,
    rawArchive,
    provisional,
    groupIdPrefix: `load-${topics.id}-${run}-`,
    layout: {
      viewsPrefix: `${root}realtime_views/`,
      partialsPrefix: `${root}realtime_partials/`,
      checkpointsPrefix: `${root}checkpoints/speed/`,
      deadLetterPrefix: `${root}dead_letter/`,
      rawPrefix: `${root}raw/`,
    },
    store: new S3ObjectStore(createS3Client(endpoints.s3), endpoints.s3.bucket, {
      endpoint: describeS3(endpoints.s3),
    }),
  };
}

/** The runner's settings for a run: its defaults (the original design's) except isolation and quiet logs. */
export function runSettings(run: JobsRun, overrides: RunFlags = {}): Settings {
  return resolveSettings({ env: {}, flags: runFlags(run, overrides) });
}

type RunFlags = Partial<Record<SettingName, string>>;

/** The same settings as `speed-layer run` command-line flags (for a child process). */
export function runArgs(run: JobsRun, overrides: RunFlags = {}): string[] {
  return Object.entries(runFlags(run, overrides)).flatMap(([name, value]) => [
    flagOf(name as SettingName),
    value,
  ]);
}

function runFlags(run: JobsRun, overrides: RunFlags): RunFlags {
  return {
    topicPrefix: run.topicPrefix,
    groupIdPrefix: run.groupIdPrefix,
    viewsPrefix: run.layout.viewsPrefix,
    partialsPrefix: run.layout.partialsPrefix,
    checkpointsPrefix: run.layout.checkpointsPrefix,
    deadLetterPrefix: run.layout.deadLetterPrefix,
    rawPrefix: run.layout.rawPrefix,
    rawArchive: String(run.rawArchive),
    provisional: String(run.provisional),
    httpPort: '0',
    logLevel: 'warn',
    logFormat: 'json',
    ...overrides,
  };
}

export function physicalTopics(topics: LoadTopics, jobs: readonly JobName[]): string[] {
  return jobs.flatMap((job) => (JOB_TOPICS[job] as readonly Topic[]).map((t) => `${topics.topicPrefix}${t}`));
}
