/**
 * Shared by the run-*.test.ts integration tests. Isolation: each test gets its own six topics
 * (`t<id>.lms.*`, via the topicPrefix setting), its own consumer groups and its own storage prefixes
 * (`runs/<id>/...`) in the stack's bucket, so tests never see each other's records or files. The oracle
 * reads the same prefixed topics back (prefix stripped: validation keys on the contract names).
 */
import { randomBytes } from 'node:crypto';
import type { SourceRecord } from '../../src/events/record.ts';
import { TOPICS } from '../../src/events/topics.ts';
import { VIEW_SPECS } from '../../src/events/view-catalog.ts';
import type { RejectedRecord, ViewRow } from '../../src/events/view-dump.ts';
import type { GeneratedRecord } from '../../src/generator/generated-record.ts';
import type { GeneratorOptions } from '../../src/generator/options.ts';
import { createProgress } from '../../src/generator/progress.ts';
import { runGenerator } from '../../src/generator/run-generator.ts';
import { simulatedSpanMs } from '../../src/generator/simulated-span.ts';
import { KafkaSink } from '../../src/generator/sinks/kafka-sink.ts';
import { readKafkaRecords } from '../../src/oracle/kafka-records.ts';
import { runOracle } from '../../src/oracle/run-oracle.ts';
import { logicalRow, mergeRows } from '../../src/processor/engine/merge-rows.ts';
import { readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import type { StorageLayout } from '../../src/processor/io/layout.ts';
import type { ObjectStore } from '../../src/processor/io/object-store.ts';
import { readParquet } from '../../src/processor/io/parquet-reader.ts';
import { S3ObjectStore } from '../../src/processor/io/s3-object-store.ts';
import { JOB_VIEWS } from '../../src/processor/jobs.ts';
import { resolveSettings, type Settings } from '../../src/processor/runtime/settings.ts';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import { createS3Client } from '../../src/stack/s3-client.ts';
import { envOfEndpoints } from '../../src/stack/stack-exports.ts';
import { ensureTopics } from '../../src/stack/topics.ts';
import type { ViewResult } from '../property/laws.ts';

export interface RunFixture {
  id: string;
  topicPrefix: string;
  layout: StorageLayout;
  groupIdPrefix: string;
  store: ObjectStore;
}

export async function createFixture(endpoints: StackEndpoints): Promise<RunFixture> {
  const id = randomBytes(4).toString('hex');
  const topicPrefix = `t${id}.`;
  const admin = createKafka(endpoints.kafka, 'run-test-setup').admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      endpoints.partitions,
      TOPICS.map((topic) => `${topicPrefix}${topic}`),
    );
  } finally {
    await admin.disconnect();
  }
  return {
    id,
    topicPrefix,
    layout: {
      viewsPrefix: `runs/${id}/realtime_views/`,
      checkpointsPrefix: `runs/${id}/checkpoints/speed/`,
      deadLetterPrefix: `runs/${id}/dead_letter/`,
    },
    groupIdPrefix: `run-test-${id}-`,
    store: new S3ObjectStore(createS3Client(endpoints.s3), endpoints.s3.bucket),
  };
}

/** The settings flags of a runner of this fixture (as CLI flags would give them). */
export function fixtureFlags(fixture: RunFixture): Record<string, string> {
  return {
    topicPrefix: fixture.topicPrefix,
    groupIdPrefix: fixture.groupIdPrefix,
    viewsPrefix: fixture.layout.viewsPrefix,
    checkpointsPrefix: fixture.layout.checkpointsPrefix,
    deadLetterPrefix: fixture.layout.deadLetterPrefix,
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

/** CLI arguments for `speed-layer run` of this fixture. */
export function fixtureArgs(fixture: RunFixture, overrides: Record<string, string> = {}): string[] {
  const flags = { ...fixtureFlags(fixture), ...overrides };
  return Object.entries(flags).flatMap(([name, value]) => [
    `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    value,
  ]);
}

/** The environment a child `speed-layer run` needs to reach the stack. */
export function stackEnv(endpoints: StackEndpoints): NodeJS.ProcessEnv {
  return { ...process.env, ...envOfEndpoints(endpoints) };
}

/**
 * Generates a backfill with every kind of fault into the fixture's topics, ending 90 min ago so the idle
 * rule (now − D) finalises every window, session and join. Returns the number of records.
 */
export async function produceBackfill(
  endpoints: StackEndpoints,
  fixture: RunFixture,
  events: number,
  users: number,
): Promise<number> {
  const options: Partial<GeneratorOptions> = {
    seed: Number.parseInt(fixture.id, 16),
    events,
    users,
    userPrefix: `u${fixture.id}`,
    partitions: endpoints.partitions,
    disorderMs: 30_000,
    faults: { late: 0.01, duplicate: 0.01, invalid: 0.01, future: 0.005 },
  };
  options.startTimeMs = Date.now() - simulatedSpanMs(options) - 90 * 60_000;
  const sink = await KafkaSink.connect(createKafka(endpoints.kafka, 'run-test-producer'));
  const prefixed = {
    write: (records: readonly GeneratedRecord[]) =>
      sink.write(records.map((record) => ({ ...record, topic: `${fixture.topicPrefix}${record.topic}` }))),
    close: () => sink.close(),
  };
  const { summary } = await runGenerator({
    options: { ...options, wallClockMs: Date.now },
    sink: prefixed,
    holdToWallClock: true,
    progress: createProgress(undefined, false),
  });
  await prefixed.close();
  return summary.records;
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

/** Every view's published rows merged into logical rows, and the dead letters, as the oracle shows them. */
export async function publishedResult(
  fixture: Pick<RunFixture, 'store' | 'layout'>,
): Promise<ViewResult & { files: Map<string, string[]> }> {
  const { store, layout } = fixture;
  const rowsByView = new Map<string, ViewRow[]>();
  const files = new Map<string, string[]>();
  const views = Object.values(JOB_VIEWS).flat();
  for (const spec of VIEW_SPECS) {
    const view = views.find((candidate) => candidate.name === spec.name)!;
    const keys = (await store.list(`${layout.viewsPrefix}${spec.name}/`)).filter((key) =>
      key.endsWith('.parquet'),
    );
    files.set(spec.name, keys);
    const partial: ViewRow[] = [];
    for (const key of keys) partial.push(...((await readParquet((await store.get(key))!)).rows as ViewRow[]));
    rowsByView.set(
      spec.name,
      mergeRows(view, partial).map((row) => logicalRow(view, row)),
    );
  }
  const rejected: RejectedRecord[] = (await readDeadLetters(store, layout.deadLetterPrefix)).map(
    ({ topic, partition, offset, reason }) => ({ topic, partition, offset, reason }),
  );
  return { rowsByView, rejected, files };
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
