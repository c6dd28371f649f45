import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ConfigResourceTypes } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TOPICS } from '../../src/events/topics.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import { createS3Client } from '../../src/stack/s3-client.ts';
import { startStack } from '../../src/stack/stack.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const s3 = createS3Client(endpoints.s3);
const bucket = endpoints.s3.bucket;
const kafka = createKafka(endpoints.kafka, 'stack-test');
afterAll(() => s3.destroy());

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadlineMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

describe('the S3 store', () => {
  it('round-trips an object through put, list, get and delete', async () => {
    const prefix = `stack-test/${randomUUID()}/`;
    const key = `${prefix}hello.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hello, stack' }));

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = await got.Body?.transformToString();
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const afterDelete = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));

    expect(listed.Contents?.map((object) => object.Key)).toEqual([key]);
    expect(body).toBe('hello, stack');
    expect(afterDelete.Contents ?? []).toEqual([]);
  });

  it('accepts a put with If-None-Match: * once and answers 412 to the second', async () => {
    const key = `stack-test/${randomUUID()}/checkpoint.json`;
    const put = (body: string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: '*' }));

    await put('first');
    const second = await put('second').then(
      () => undefined,
      (error: unknown) => error,
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = await got.Body?.transformToString();
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

    expect(second).toBeInstanceOf(S3ServiceException);
    expect((second as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    expect(body).toBe('first');
  });
});

describe('kafkajs against the stack Kafka', () => {
  it('sees the six topics with the configured partitions and LogAppendTime', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...TOPICS] });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: TOPICS.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['message.timestamp.type'],
        })),
      });
      expect(metadata.topics.map((topic) => topic.partitions.length)).toEqual(
        TOPICS.map(() => endpoints.partitions),
      );
      const timestampTypes = configs.resources.map((resource) => resource.configEntries[0]?.configValue);
      expect(timestampTypes).toEqual(TOPICS.map(() => 'LogAppendTime'));
    } finally {
      await admin.disconnect();
    }
  });

  it('creates a topic, produces idempotently, consumes in a group and resumes from the stored offsets', async () => {
    const topic = `stack-test-${randomUUID()}`;
    const groupId = `stack-test-group-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
      });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const messages = Array.from({ length: 10 }, (_, index) => ({
        key: `k${index % 2}`,
        value: `v${index}`,
      }));
      await producer.send({ topic, acks: -1, messages: messages.slice(0, 6) });

      const firstValues = await consumeValues(groupId, topic, 6);
      const stored = await admin.fetchOffsets({ groupId, topics: [topic] });
      await producer.send({ topic, acks: -1, messages: messages.slice(6) });
      await producer.disconnect();
      const resumedValues = await consumeValues(groupId, topic, 4, stored[0]?.partitions);

      expect(firstValues.sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
      // A partition that got no record has no stored offset (-1).
      const storedTotal = stored[0]?.partitions.reduce(
        (sum, partition) => sum + Math.max(0, Number(partition.offset)),
        0,
      );
      expect(storedTotal).toBe(6);
      expect(resumedValues.sort()).toEqual(['v6', 'v7', 'v8', 'v9']);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

/** Consumes `count` values in the group (committing each), optionally seeking each partition first. */
async function consumeValues(
  groupId: string,
  topic: string,
  count: number,
  seekTo?: { partition: number; offset: string }[],
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        // Commit each record ourselves before counting it, so the stored offsets are exact when we stop.
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const next = (BigInt(message.offset) + 1n).toString();
          await consumer.commitOffsets([{ topic, partition, offset: next }]);
          values.push(message.value?.toString() ?? '');
          if (values.length >= count) resolve();
        },
      });
    });
    for (const { partition, offset } of seekTo ?? []) {
      if (Number(offset) >= 0) consumer.seek({ topic, partition, offset });
    }
    await done;
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('the local stack lifecycle', () => {
  it('stops a second stack with no process left behind', async () => {
    const second = await startStack({
      env: { STACK_MODE: 'local' },
      createTopics: false,
      progress: () => {},
    });
    const pids = second.pids;
    const aliveWhileRunning = pids.map(groupAlive);

    await second.stop();

    expect(second.modes).toEqual({ kafka: 'local', s3: 'local' });
    expect(pids).toHaveLength(2);
    expect(aliveWhileRunning).toEqual([true, true]);
    expect(pids.map(groupAlive)).toEqual([false, false]);
  });

  it('leaves no JVM behind when its parent process is killed with SIGKILL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stack-orphan-test-'));
    const script = join(dir, 'parent.mts');
    const s3Module = fileURLToPath(new URL('../../src/stack/local-s3.ts', import.meta.url));
    await writeFile(
      script,
      `import { startLocalS3 } from ${JSON.stringify(s3Module)};\n` +
        `const s3 = await startLocalS3(${JSON.stringify(dir)}, 'bucket-0', 'us-east-1', () => {});\n` +
        `console.log(s3.process.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const firstLine = await new Promise<string>((resolve) =>
        createInterface({ input: parent.stdout! }).once('line', resolve),
      );
      const jvmPid = Number(firstLine);
      const aliveBefore = groupAlive(jvmPid);

      parent.kill('SIGKILL');
      // The watchdog polls every second, then SIGTERM, SIGKILL 10 s later; minutes on a busy machine.
      const goneInTime = await waitUntil(() => !groupAlive(jvmPid), 120_000);

      expect(Number.isInteger(jvmPid) && jvmPid > 0).toBe(true);
      expect(aliveBefore).toBe(true);
      expect(goneInTime).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
