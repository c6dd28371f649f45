/**
 * The failure policy against real Kafka and S3: a hung object store turns /healthz to 503 within seconds
 * (and back to 200 once it answers), and a run that can never work — refused S3 credentials, SASL
 * against a broker without it, a closed Kafka port — exits non-zero with one line naming the endpoint
 * and the cause instead of restarting forever.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { StorageError } from '../../src/storage/storage-error.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { spawnRunner } from './run-child.ts';
import {
  createFixture,
  fixtureSettings,
  produceBackfill,
  waitFor,
  START_TIMEOUT_MS,
  type RunFixture,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

/** Delegates to a store; while `hung`, every call waits (a frozen S3) and goes on once released. */
class HangableStore implements ObjectStore {
  private release: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  constructor(private readonly inner: ObjectStore) {}
  get url(): string {
    return this.inner.url;
  }
  hang(): void {
    this.release = new Promise((resolve) => (this.open = resolve));
  }
  answer(): void {
    this.open();
  }
  /** While set, every call fails as an unreachable S3 does after its retries. */
  down = false;
  private async gate<T>(call: () => Promise<T>): Promise<T> {
    await this.release;
    if (this.down) throw new StorageError('unavailable', 'the store is down (test)', { retryable: true });
    return call();
  }
  put = (key: string, body: Uint8Array) => this.gate(() => this.inner.put(key, body));
  putIfAbsent = (key: string, body: Uint8Array) => this.gate(() => this.inner.putIfAbsent(key, body));
  get = (key: string) => this.gate(() => this.inner.get(key));
  exists = (key: string) => this.gate(() => this.inner.exists(key));
  copy = (from: string, to: string) => this.gate(() => this.inner.copy(from, to));
  list = (prefix: string) => this.gate(() => this.inner.list(prefix));
  deleteMany = (keys: readonly string[]) => this.gate(() => this.inner.deleteMany(keys));
}

async function healthz(
  url: string,
): Promise<{ status: number; body: { jobs: Record<string, { problem?: string }> } }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: (await response.json()) as never };
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `run auth` with a broken setting; resolves with its exit code and its last error line. */
async function runUntilExit(
  fixture: RunFixture,
  env: Record<string, string>,
  flags: Record<string, string> = {},
) {
  const child = spawnRunner(endpoints, fixture, ['auth'], { maxRestarts: '1', ...flags }, env);
  const { code } = await child.exited;
  const errors = child
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":50'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
  const last = errors.at(-1) ?? '';
  process.stderr.write(`[failure policy] exit ${code}: ${last}\n`);
  return { code, last };
}

describe('the failure policy', () => {
  it(
    'answers 503 within seconds of the store hanging, and 200 again once it answers',
    { timeout: 900_000 },
    async () => {
      const fixture = await createFixture(endpoints);
      await produceBackfill(endpoints, fixture, 5_000, 100);
      const root = await mkdtemp(join(tmpdir(), 'hang-'));
      onTestFinished(() => rm(root, { recursive: true, force: true }));
      const store = new HangableStore(new FileObjectStore(root));
      const settings = fixtureSettings(fixture, { commitTimeout: '2s', commitInterval: '200ms' });
      const running = await startJobs({ settings, endpoints, jobs: ['auth'], store });
      try {
        const url = running.httpUrl!;
        await waitFor(
          'a commit',
          () => running.health().auth!.lastCommitAgeSeconds !== null,
          START_TIMEOUT_MS,
        );
        await waitFor('healthy', async () => (await healthz(url)).status === 200, START_TIMEOUT_MS);

        store.hang();
        const hungMs = Date.now();
        await waitFor('503', async () => (await healthz(url)).status === 503, START_TIMEOUT_MS);
        const toUnhealthyMs = Date.now() - hungMs;
        const { body } = await healthz(url);
        expect(body.jobs.auth!.problem).toMatch(
          /a commit has been in flight for \d+ s \(COMMIT_TIMEOUT 2 s\)/,
        );

        store.answer();
        await waitFor('healthy again', async () => (await healthz(url)).status === 200, START_TIMEOUT_MS);
        process.stderr.write(`[failure policy] store hung → /healthz 503 after ${toUnhealthyMs} ms\n`);
      } finally {
        store.answer();
        await running.stop();
      }
    },
  );

  it(
    'resumes within seconds of the store answering after an outage, not after the backoff',
    { timeout: 900_000 },
    async () => {
      const fixture = await createFixture(endpoints);
      await produceBackfill(endpoints, fixture, 5_000, 100);
      const root = await mkdtemp(join(tmpdir(), 'outage-'));
      onTestFinished(() => rm(root, { recursive: true, force: true }));
      const store = new HangableStore(new FileObjectStore(root));
      const settings = fixtureSettings(fixture, { commitInterval: '200ms' });
      const running = await startJobs({ settings, endpoints, jobs: ['auth'], store });
      try {
        await waitFor(
          'a commit',
          () => running.health().auth!.lastCommitAgeSeconds !== null,
          START_TIMEOUT_MS,
        );
        store.down = true;
        await waitFor(
          'the job to restart',
          () => running.health().auth!.state === 'restarting',
          START_TIMEOUT_MS,
        );
        // Long enough for the backoff to grow past the probe interval several times (1, 2, 4, 8 s ...).
        await new Promise((resolve) => setTimeout(resolve, 20_000));
        const failures = await running.metrics.jobFailures.get();
        expect(failures.values.some((v) => v.labels.dependency === 'storage' && v.value >= 2)).toBe(true);

        store.down = false;
        const backMs = Date.now();
        await waitFor('running again', () => running.health().auth!.state === 'running', START_TIMEOUT_MS);
        const resumedMs = Date.now() - backMs;
        await waitFor(
          'a new commit',
          () => (running.health().auth!.lastCommitAgeSeconds ?? 99) <= 1,
          START_TIMEOUT_MS,
        );
        process.stderr.write(`[failure policy] store back → job running again after ${resumedMs} ms\n`);
      } finally {
        store.down = false;
        await running.stop();
      }
    },
  );

  it(
    'exits non-zero at once, naming S3, when the store refuses the credentials',
    { timeout: 600_000 },
    async () => {
      const fixture = await createFixture(endpoints);
      const { code, last } = await runUntilExit(fixture, { S3_SECRET_ACCESS_KEY: 'not-the-secret' });
      expect(code).toBe(3);
      expect(last).toContain(`auth: object store s3://${endpoints.s3.bucket}/`);
      expect(last).toContain('refused: access_denied');
    },
  );

  it('exits non-zero, naming the brokers, when Kafka cannot be reached', { timeout: 600_000 }, async () => {
    const fixture = await createFixture(endpoints);
    const port = await closedPort();
    const { code, last } = await runUntilExit(fixture, { KAFKA_BROKERS: `127.0.0.1:${port}` });
    expect(code).toBe(3);
    expect(last).toContain(`Kafka 127.0.0.1:${port}`);
  });

  it(
    'exits non-zero, naming the brokers, when SASL meets a broker without it',
    { timeout: 600_000 },
    async () => {
      const fixture = await createFixture(endpoints);
      const { code, last } = await runUntilExit(fixture, {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'someone',
        KAFKA_SASL_PASSWORD: 'secret',
      });
      expect(code).toBe(3);
      expect(last).toContain(`Kafka ${endpoints.kafka.brokers.join(',')}`);
      expect(last).not.toContain('secret');
    },
  );
});
