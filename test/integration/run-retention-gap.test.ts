import { describe, expect, inject, it } from 'vitest';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import {
  createFixture,
  fixtureSettings,
  produceBackfill,
  SETTLE_TIMEOUT_MS,
  waitFor,
  type RunFixture,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const quiet = () => createLogger({ level: 'fatal', format: 'json' });

/** Appends `count` records to one partition, then deletes every record of it but the last `keep`. */
async function appendAndTruncate(fixture: RunFixture, partition: number, count: number, keep: number) {
  const kafka = createKafka(endpoints.kafka, 'run-test-retention');
  const topic = `${fixture.topicPrefix}lms.auth`;
  const producer = kafka.producer();
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  try {
    const messages = Array.from({ length: count }, (_, i) => ({
      partition,
      key: 'u-gap',
      value: `not json ${i}`,
    }));
    await producer.send({ topic, messages });
    const high = Number((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition)!.high);
    // What retention does to an old segment: the log now starts past the job's checkpointed offset.
    await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(high - keep) }] });
    return { topic, logStart: high - keep };
  } finally {
    await Promise.all([producer.disconnect(), admin.disconnect()]);
  }
}

describe('speed-layer run, when retention deleted checkpointed offsets', () => {
  it('fails naming the partition and offsets, and with --reset-on-gap skips the gap and records it', async () => {
    const fixture = await createFixture(endpoints);
    await produceBackfill(endpoints, fixture, 3000, 100);
    const first = await startJobs({
      settings: fixtureSettings(fixture),
      endpoints,
      jobs: ['auth'],
      logger: quiet(),
    });
    try {
      await waitFor('the auth job to settle', () => first.settled(), SETTLE_TIMEOUT_MS);
    } finally {
      await first.stop();
    }
    const { topic, logStart } = await appendAndTruncate(fixture, 0, 50, 10);

    const strict = await startJobs({
      settings: fixtureSettings(fixture),
      endpoints,
      jobs: ['auth'],
      logger: quiet(),
    });
    try {
      const error = (await strict.failed.catch((failure: unknown) => failure)) as Error & { code?: string };
      expect(error.code).toBe('offset_gap');
      expect(error.message).toContain(`${topic} partition 0`);
      expect(error.message).toContain(`the log now starts at ${logStart}`);
    } finally {
      await strict.stop();
    }

    const lenient = await startJobs({
      settings: fixtureSettings(fixture, { resetOnGap: 'true' }),
      endpoints,
      jobs: ['auth'],
      logger: quiet(),
    });
    try {
      await waitFor('the auth job to settle past the gap', () => lenient.settled(), SETTLE_TIMEOUT_MS);
    } finally {
      await lenient.stop();
    }
    const gapFiles = await fixture.store.list(`${fixture.layout.deadLetterPrefix}_gaps/`);
    expect(gapFiles.length).toBeGreaterThan(0);
    const recorded = (await fixture.store.get(gapFiles[0]!))!.toString('utf8');
    expect(recorded).toContain(String(logStart));
  });
});
