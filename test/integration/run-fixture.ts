/**
 * Shared by the run-*.test.ts integration tests. Isolation: each test gets its own six topics
 * (`t<id>.lms.*`, via the topicPrefix setting), its own consumer groups and its own storage prefixes
 * (`runs/<id>/...`) in the stack's bucket, so tests never see each other's records or files; all of them
 * are deleted when the test finishes. The oracle reads the same prefixed topics back (prefix stripped:
 * validation keys on the contract names).
 */
import { randomBytes } from 'node:crypto';
import { onTestFinished } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOBS, TOPICS, type Topic } from '../../src/events/topics.ts';
import type { GeneratedRecord } from '../../src/generator/generated-record.ts';
import type { GeneratorOptions } from '../../src/generator/options.ts';
import { createProgress } from '../../src/generator/progress.ts';
import { runGenerator } from '../../src/generator/run-generator.ts';
import { simulatedSpanMs } from '../../src/generator/simulated-span.ts';
import { KafkaSink } from '../../src/generator/sinks/kafka-sink.ts';
import { readKafkaRecords } from '../../src/oracle/kafka-records.ts';
import { runOracle } from '../../src/oracle/run-oracle.ts';
import type { StorageLayout } from '../../src/storage/layout.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { resolveSettings, type Settings } from '../../src/processor/runtime/settings.ts';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import { createS3Client } from '../../src/stack/s3-client.ts';
import { envOfEndpoints } from '../../src/stack/stack-exports.ts';
import { ensureTopics } from '../../src/stack/topics.ts';
import type { ViewResult } from '../../src/events/view-result.ts';

import { publishedResult } from '../../src/processor/query/published-result.ts';
import { duckdbViews } from './duckdb-views.ts';

export interface RunFixture {
  id: string;
  topicPrefix: string;
  layout: StorageLayout;
  groupIdPrefix: string;
  store: ObjectStore;
  /** Partitions of each of its topics. */
  partitions: number;
}

export interface FixtureOptions {
  /** Partitions per topic; default the stack's (`endpoints.partitions`). */
  partitions?: number;
}

/**
 * How long a test waits for a runner to start and commit (a child first spends up to ~20 s in tsx) or
 * for jobs to catch up and settle: minutes, so that the waits hold on a busy machine; a passing test
 * waits only as long as the condition takes.
 */
export const START_TIMEOUT_MS = 300_000;
export const SETTLE_TIMEOUT_MS = 600_000;

/** A fixture for the running test: its topics, groups and files are deleted when the test finishes. */
export async function createFixture(
  endpoints: StackEndpoints,
  options: FixtureOptions = {},
): Promise<RunFixture> {
  const partitions = options.partitions ?? endpoints.partitions;
  const id = randomBytes(4).toString('hex');
  const topicPrefix = `t${id}.`;
  const topics = TOPICS.map((topic) => `${topicPrefix}${topic}`);
  const admin = createKafka(endpoints.kafka, 'run-test-setup').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, partitions, topics);
  } finally {
    await admin.disconnect();
  }
  const fixture: RunFixture = {
    id,
    topicPrefix,
    layout: {
      viewsPrefix: `runs/${id}/realtime_views/`,
      partialsPrefix: `runs/${id}/realtime_partials/`,
      checkpointsPrefix: `runs/${id}/checkpoints/speed/`,
      deadLetterPrefix: `runs/${id}/dead_letter/`,
      rawPrefix: `runs/${id}/raw/`,
    },
    groupIdPrefix: `run-test-${id}-`,
    store: new S3ObjectStore(createS3Client(endpoints.s3), endpoints.s3.bucket),
    partitions,
  };
  onTestFinished(() =>
    removeTestData(endpoints, {
      topics,
      groupIds: JOBS.map((job) => `${fixture.groupIdPrefix}${job}`),
      prefix: `runs/${id}/`,
    }),
  );
  return fixture;
}

/** Deletes what a test made on the stack: its topics, its consumer groups, the objects under its prefix. */
export async function removeTestData(
  endpoints: StackEndpoints,
  made: { topics: readonly string[]; groupIds: readonly string[]; prefix: string },
): Promise<void> {
  const admin = createKafka(endpoints.kafka, 'test-cleanup').admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...made.topics], timeout: 60_000 });
    // A job that never ran has no group, and a group still in use cannot be deleted: both are fine to skip.
    await admin.deleteGroups([...made.groupIds]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  const client = createS3Client(endpoints.s3);
  try {
    const store = new S3ObjectStore(client, endpoints.s3.bucket);
    await store.deleteMany(await store.list(made.prefix));
  } finally {
    client.destroy();
  }
}

/** The settings flags of a runner of this fixture (as CLI flags would give them). */
export function fixtureFlags(fixture: RunFixture): Record<string, string> {
  return {
    topicPrefix: fixture.topicPrefix,
    groupIdPrefix: fixture.groupIdPrefix,
    viewsPrefix: fixture.layout.viewsPrefix,
    partialsPrefix: fixture.layout.partialsPrefix,
    checkpointsPrefix: fixture.layout.checkpointsPrefix,
    deadLetterPrefix: fixture.layout.deadLetterPrefix,
    rawPrefix: fixture.layout.rawPrefix,
    partitions: String(fixture.partitions),
    // Short idle timeout: after the fixed backlog every partition goes idle and every window becomes final.
    idleTimeout: '3s',
    httpPort: '0',
    // A SIGKILLed runner's partitions move after this (the broker's minimum).
    sessionTimeout: '6s',
    logLevel: 'warn',
    logFormat: 'json',
  };
}

export function fixtureSettings(fixture: RunFixture, overrides: Record<string, string> = {}): Settings {
  return resolveSettings({ env: {}, flags: { ...fixtureFlags(fixture), ...overrides } });
}

/** CLI arguments for `speed-layer run` of this fixture; an empty value is a flag without one. */
export function fixtureArgs(fixture: RunFixture, overrides: Record<string, string> = {}): string[] {
  const flags = { ...fixtureFlags(fixture), ...overrides };
  return Object.entries(flags).flatMap(([name, value]) => {
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return value === '' ? [flag] : [flag, value];
  });
}

/** The environment a child `speed-layer run` needs to reach the stack. */
export function stackEnv(endpoints: StackEndpoints): NodeJS.ProcessEnv {
  return { ...process.env, ...envOfEndpoints(endpoints) };
}

export interface ProduceOptions {
  /** Only these topics get records; default all six. */
  topics?: readonly Topic[];
  /** Records per second on the wall clock (a live producer); default as fast as the broker takes them. */
  ratePerS?: number;
  /** Ends the run early, before its next batch: what was written so far is produced, nothing after. */
  signal?: AbortSignal;
  /** Called with the number of records written so far, after each batch. */
  onWritten?: (records: number) => void;
  /** How long before now the simulated events end; default 90 min. */
  endsAgoMs?: number;
}

/** Thrown by the producer's sink once the signal is aborted: ends the generator's loop. */
class ProducerStopped extends Error {}

/**
 * Generates a backfill with every kind of fault into the fixture's topics, ending 90 min ago (unless told
 * otherwise) so the idle rule (now − D) finalises every window, session and join. Returns the number of
 * records.
 */
export async function produceBackfill(
  endpoints: StackEndpoints,
  fixture: RunFixture,
  events: number,
  users: number,
  produce: ProduceOptions = {},
): Promise<number> {
  const options: Partial<GeneratorOptions> = {
    seed: Number.parseInt(fixture.id, 16),
    events,
    users,
    userPrefix: `u${fixture.id}`,
    partitions: fixture.partitions,
    disorderMs: 30_000,
    faults: { late: 0.01, duplicate: 0.01, invalid: 0.01, future: 0.005 },
    ...(produce.topics === undefined ? {} : { topics: produce.topics }),
  };
  options.startTimeMs = Date.now() - simulatedSpanMs(options) - (produce.endsAgoMs ?? 90 * 60_000);
  const sink = await KafkaSink.connect(createKafka(endpoints.kafka, 'run-test-producer'));
  let written = 0;
  const prefixed = {
    write: async (records: readonly GeneratedRecord[]) => {
      if (produce.signal?.aborted === true) throw new ProducerStopped();
      await sink.write(
        records.map((record) => ({ ...record, topic: `${fixture.topicPrefix}${record.topic}` })),
      );
      written += records.length;
      produce.onWritten?.(written);
    },
    close: () => sink.close(),
  };
  try {
    await runGenerator({
      options: { ...options, wallClockMs: Date.now },
      sink: prefixed,
      ...(produce.ratePerS === undefined ? {} : { ratePerS: produce.ratePerS }),
      holdToWallClock: true,
      progress: createProgress(undefined, false),
    });
  } catch (error) {
    if (!(error instanceof ProducerStopped)) throw error;
  }
  await prefixed.close();
  return written;
}

/** The fixture's records as read back from Kafka, under their contract topic names. */
export async function readBack(endpoints: StackEndpoints, fixture: RunFixture): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  const topics = TOPICS.map((topic) => `${fixture.topicPrefix}${topic}`);
  for await (const record of readKafkaRecords(endpoints.kafka, topics)) {
    records.push({ ...record, topic: record.topic.slice(fixture.topicPrefix.length) });
  }
  return records;
}

export async function oracleResult(records: readonly SourceRecord[]): Promise<ViewResult> {
  const { rowsByView, rejected } = await runOracle(records, {
    watermarkDelayMs: 120_000,
    sessionGapMs: 600_000,
  });
  return { rowsByView, rejected };
}

export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What plain readers get: DuckDB's `read_parquet` over every view's tree, and the dead letters. */
export async function readerResult(fixture: Pick<RunFixture, 'store' | 'layout'>): Promise<ViewResult> {
  const { rejected } = await publishedResult(fixture);
  return { rowsByView: await duckdbViews(fixture.store, fixture.layout), rejected };
}
