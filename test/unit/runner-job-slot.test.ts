import { describe, expect, it } from 'vitest';
import type { JobRunner } from '../../src/processor/runner/job-runner.ts';
import { JobSlot, type SlotPolicy } from '../../src/processor/runner/job-slot.ts';
import type { FailureClass } from '../../src/processor/runner/failure-policy.ts';
import { RunnerError } from '../../src/processor/runner/runner-error.ts';
import { StorageError } from '../../src/storage/storage-error.ts';
import type { JobHealth } from '../../src/processor/runtime/http-server.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';

/** While set, fake runners fail to start. */
let failStarts = false;

/** What the slot needs of a runner: start, stop, health, progress, and a way to fail. */
class FakeRunner {
  status: JobHealth['state'] = 'running';
  onFailed: (error: unknown) => void = () => undefined;
  progressAtMs: number | undefined;
  constructor(readonly lag: number) {}
  start = (): Promise<void> => (failStarts ? Promise.reject(new Error('S3 unreachable')) : Promise.resolve());
  stop = (): Promise<void> => Promise.resolve();
  health(): JobHealth {
    return { state: this.status, lastCommitAgeSeconds: 0, lag: this.lag };
  }
}

const logger = createLogger({ level: 'silent', format: 'json' });

/** A slot whose runners are fakes with the given lag, kept in creation order; what ended the run, if anything. */
function slotOf(
  lag: number,
  policy: Partial<SlotPolicy> = {},
): { slot: JobSlot; runners: FakeRunner[]; ended: unknown[]; failures: FailureClass[] } {
  const runners: FakeRunner[] = [];
  const ended: unknown[] = [];
  const failures: FailureClass[] = [];
  const create = (): JobRunner => {
    const runner = new FakeRunner(lag);
    runners.push(runner);
    return runner as unknown as JobRunner;
  };
  const fullPolicy: SlotPolicy = {
    job: 'auth',
    maxRestarts: 10,
    describe: (dependency) =>
      dependency === 'storage' ? 'object store s3://bucket-0/' : 'Kafka 127.0.0.1:1',
    probe: () => Promise.resolve(false),
    onFailure: (failure) => failures.push(failure),
    ...policy,
  };
  return {
    slot: new JobSlot(create, logger, (error) => ended.push(error), fullPolicy),
    runners,
    ended,
    failures,
  };
}

/** Resolves once `check` holds (polling; the wait is bounded by the test's timeout, not asserted). */
async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('a job slot’s health across restarts', () => {
  it('keeps counting the commit age from the last commit, and reports the lag as unknown, while restarting', async () => {
    const { slot, runners } = slotOf(7);
    expect(slot.health(1_000)).toEqual({ state: 'starting', lastCommitAgeSeconds: null, lag: null });

    await slot.start();
    runners[0]!.progressAtMs = 10_000;
    expect(slot.health(12_000)).toEqual({ state: 'running', lastCommitAgeSeconds: 2, lag: 7 });

    runners[0]!.onFailed(new Error('S3 unreachable'));
    const restarting = slot.health(70_000);
    await slot.stop(); // no restart timer left behind

    expect(restarting).toEqual({ state: 'restarting', lastCommitAgeSeconds: 60, lag: null, caughtUp: false });
  });

  it('lets a restarted runner that has not committed yet inherit the age of the one before', async () => {
    const { slot, runners } = slotOf(0);
    await slot.start();
    runners[0]!.progressAtMs = 5_000;
    runners[0]!.onFailed(new Error('broker gone'));
    await slot.start(); // the restart, without waiting for the backoff

    expect(slot.health(35_000).lastCommitAgeSeconds).toBe(30);
    runners[1]!.progressAtMs = 34_000;
    expect(slot.health(35_000).lastCommitAgeSeconds).toBe(1);
    await slot.stop();
  });
});

describe('a job slot’s lag while restarting', () => {
  it('reports the broker’s lag (end offsets − committed) while no runner reads', async () => {
    let brokerLag = 4321;
    const { slot, runners } = slotOf(7, { brokerLag: () => Promise.resolve(brokerLag) });
    failStarts = true; // every restart fails too: the job stays restarting whatever the machine's pace
    await slot.start();
    expect(runners).toHaveLength(1);

    await eventually(() => slot.health(0).lag === 4321);
    brokerLag = 4000; // refreshed while the job waits
    await eventually(() => slot.health(0).lag === 4000);
    expect(slot.health(0).state).toBe('restarting');
    await slot.stop();
    failStarts = false;
  });
});

describe('a job slot’s failure policy', () => {
  it('ends the run at once, naming the endpoint and cause, when the store refuses the credentials', async () => {
    const { slot, runners, ended, failures } = slotOf(0);
    await slot.start();

    runners[0]!.onFailed(
      new StorageError('access_denied', 'put checkpoints/x: InvalidAccessKeyId: The key does not exist'),
    );

    expect(runners).toHaveLength(1); // no restart
    expect(ended).toHaveLength(1);
    expect((ended[0] as RunnerError).code).toBe('dependency_refused');
    expect((ended[0] as Error).message).toBe(
      'auth: object store s3://bucket-0/ refused: access_denied: put checkpoints/x: InvalidAccessKeyId: The key does not exist',
    );
    expect(failures).toEqual([{ dependency: 'storage', code: 'access_denied', permanent: true }]);
    await slot.stop();
  });

  it('treats a refused SASL handshake as permanent, whatever kafkajs wrapped it in', async () => {
    const { slot, runners, ended } = slotOf(0);
    await slot.start();
    const sasl = Object.assign(new Error('SASL PLAIN authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const retries = Object.assign(new Error('retries exceeded', { cause: sasl }), {
      name: 'KafkaJSNumberOfRetriesExceeded',
    });

    runners[0]!.onFailed(retries);

    expect((ended[0] as Error).message).toBe(
      'auth: Kafka 127.0.0.1:1 refused: KafkaJSSASLAuthenticationError: SASL PLAIN authentication failed',
    );
    await slot.stop();
  });

  it('restarts as soon as the failed dependency answers again, not after the backoff', async () => {
    let answers = false;
    const { slot, runners, ended } = slotOf(0, { probe: () => Promise.resolve(answers) });
    await slot.start();
    runners[0]!.onFailed(new StorageError('unavailable', 'get x: connect ECONNREFUSED', { retryable: true }));
    // Fail the next restarts too, so the backoff grows to 4 s ...
    await slot.start();
    runners[1]!.onFailed(new StorageError('unavailable', 'again', { retryable: true }));
    await slot.start();
    runners[2]!.onFailed(new StorageError('unavailable', 'again', { retryable: true }));
    expect(slot.health(0).state).toBe('restarting');

    answers = true; // ... then the store is back: a probe (every second) restarts the job.
    await eventually(() => runners.length === 4);

    expect(slot.health(0).state).toBe('running');
    expect(ended).toEqual([]);
    await slot.stop();
  });

  it('ends the run after MAX_RESTARTS failures in a row without a commit, and counts from a commit', async () => {
    const { slot, runners, ended } = slotOf(0, { maxRestarts: 2 });
    const kafkaDown = (): Error =>
      Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
        name: 'KafkaJSConnectionError',
      });
    await slot.start();
    runners[0]!.progressAtMs = Date.now(); // it committed: the count starts again
    runners[0]!.onFailed(kafkaDown());
    await slot.start();
    runners[1]!.onFailed(kafkaDown());
    expect(ended).toEqual([]);
    await slot.start();
    runners[2]!.onFailed(kafkaDown());

    expect((ended[0] as RunnerError).code).toBe('restart_limit');
    expect((ended[0] as Error).message).toBe(
      'auth: failed 3 times in a row without a commit (MAX_RESTARTS 2); last: Kafka 127.0.0.1:1: KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:1',
    );
    await slot.stop();
  });
});
