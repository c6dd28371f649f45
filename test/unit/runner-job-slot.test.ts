import { describe, expect, it } from 'vitest';
import type { JobRunner } from '../../src/processor/runner/job-runner.ts';
import { JobSlot } from '../../src/processor/runner/job-slot.ts';
import type { JobHealth } from '../../src/processor/runtime/http-server.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';

/** What the slot needs of a runner: start, stop, health, progress, and a way to fail. */
class FakeRunner {
  status: JobHealth['state'] = 'running';
  onFailed: (error: unknown) => void = () => undefined;
  progressAtMs: number | undefined;
  constructor(readonly lag: number) {}
  start = (): Promise<void> => Promise.resolve();
  stop = (): Promise<void> => Promise.resolve();
  health(): JobHealth {
    return { state: this.status, lastCommitAgeSeconds: 0, lag: this.lag };
  }
}

const logger = createLogger({ level: 'silent', format: 'json' });

/** A slot whose runners are fakes with the given lag, kept in creation order. */
function slotOf(lag: number): { slot: JobSlot; runners: FakeRunner[] } {
  const runners: FakeRunner[] = [];
  const create = (): JobRunner => {
    const runner = new FakeRunner(lag);
    runners.push(runner);
    return runner as unknown as JobRunner;
  };
  return { slot: new JobSlot(create, logger, () => undefined), runners };
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

    expect(restarting).toEqual({ state: 'restarting', lastCommitAgeSeconds: 60, lag: null });
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
