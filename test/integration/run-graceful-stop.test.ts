import { Writable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { JOBS, JOB_TOPICS } from '../../src/events/topics.ts';
import { brokerLag } from '../../src/processor/runner/broker-lag.ts';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import { differences } from '../../src/events/view-result.ts';
import { spawnRunner } from './run-child.ts';
import {
  createFixture,
  fixtureSettings,
  oracleResult,
  produceBackfill,
  readerResult,
  readBack,
  waitFor,
  type RunFixture,
  START_TIMEOUT_MS,
  SETTLE_TIMEOUT_MS,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

/** `topic:partition` → offset of every partition the group committed (lag tools' view of the checkpoints). */
async function groupOffsets(fixture: RunFixture): Promise<Map<string, number>> {
  const admin = createKafka(endpoints.kafka, 'run-test-offsets').admin();
  await admin.connect();
  try {
    const found = new Map<string, number>();
    for (const job of JOBS) {
      for (const { topic, partitions } of await admin.fetchOffsets({
        groupId: `${fixture.groupIdPrefix}${job}`,
      })) {
        for (const { partition, offset } of partitions) {
          if (Number(offset) >= 0)
            found.set(`${topic.slice(fixture.topicPrefix.length)}:${partition}`, Number(offset));
        }
      }
    }
    return found;
  } finally {
    await admin.disconnect();
  }
}

/** Records the group has not committed yet, counted from the topics' end offsets. */
async function uncommitted(fixture: RunFixture, committed: Map<string, number>): Promise<number> {
  const admin = createKafka(endpoints.kafka, 'run-test-ends').admin();
  await admin.connect();
  try {
    let behind = 0;
    for (const topic of new Set(JOBS.flatMap((job) => JOB_TOPICS[job]))) {
      for (const { partition, high } of await admin.fetchTopicOffsets(`${fixture.topicPrefix}${topic}`))
        behind += Number(high) - (committed.get(`${topic}:${partition}`) ?? 0);
    }
    return behind;
  } finally {
    await admin.disconnect();
  }
}

describe('speed-layer run, stopped with SIGTERM', () => {
  it('exits 0, and a restart resumes from the committed offsets', async () => {
    const fixture = await createFixture(endpoints);
    const produced = await produceBackfill(endpoints, fixture, 30_000, 500);
    const child = spawnRunner(endpoints, fixture, [], {
      maxOffsetsPerTrigger: '500',
      commitInterval: '200ms',
      stopDeadline: '120s', // a busy machine stops slowly; how fast is for `npm run load`
    });
    await waitFor('a first checkpoint', () => child.checkpoints() >= 1, START_TIMEOUT_MS);
    const signalledMs = Date.now();
    child.process.kill('SIGTERM');
    const { code } = await child.exited;
    const stopMs = Date.now() - signalledMs;
    expect(code).toBe(0); // how fast is for `npm run load` to measure: a busy machine fails any bound
    const committed = await groupOffsets(fixture);
    expect(committed.size).toBeGreaterThan(0);
    // What /healthz reports while no runner reads: the broker's end offsets minus the group's commits.
    const kafka = createKafka(endpoints.kafka, 'run-test-lag');
    const lagOf = (job: (typeof JOBS)[number]) =>
      brokerLag(
        kafka,
        `${fixture.groupIdPrefix}${job}`,
        JOB_TOPICS[job].map((topic) => `${fixture.topicPrefix}${topic}`),
      );
    const lagAfterStop = (await Promise.all(JOBS.map(lagOf))).reduce((sum, lag) => sum + lag, 0);
    // Whether the stop came mid-backlog depends on the machine's speed; the lag must be right either way.
    expect(lagAfterStop).toBe(await uncommitted(fixture, committed));

    const lines: string[] = [];
    const capture = new Writable({
      write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()),
    });
    const logger = createLogger({ level: 'info', format: 'json', destination: capture });
    const running = await startJobs({ settings: fixtureSettings(fixture), endpoints, logger });
    try {
      await waitFor('every job caught up, idle and committed', () => running.settled(), SETTLE_TIMEOUT_MS);
    } finally {
      await running.stop();
    }
    expect(await Promise.all(JOBS.map(lagOf))).toEqual(JOBS.map(() => 0));
    // The restart adopted each partition at the offset its last checkpoint (and the group) recorded.
    const adopted = lines
      .map((line) => JSON.parse(line) as { msg: string; partitions?: string[] })
      .filter((entry) => entry.msg === 'partitions adopted')
      .flatMap((entry) => entry.partitions ?? []);
    const committedAt = new Set([...committed].map(([where, offset]) => `${where}@${offset}`));
    const resumedAtCommitted = adopted.filter((where) => committedAt.has(where));
    expect(resumedAtCommitted.length).toBe(committed.size);
    expect(adopted.some((where) => !where.endsWith('@0'))).toBe(true);

    const records = await readBack(endpoints, fixture);
    expect(records).toHaveLength(produced);
    const [expected, actual] = [await oracleResult(records), await readerResult(fixture)];
    expect(differences(actual, expected, 10)).toEqual([]);
    process.stderr.write(
      `[run stop] SIGTERM → exit 0 in ${stopMs} ms, ${lagAfterStop} records behind; ` +
        `resumed ${resumedAtCommitted.length} partitions\n`,
    );
  });
});
