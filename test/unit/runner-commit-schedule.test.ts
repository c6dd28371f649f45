import { describe, expect, it } from 'vitest';
import type { CommitOutcome } from '../../src/processor/runner/commit-pipeline.ts';
import {
  CommitSchedule,
  OVERLAP_MS,
  type CommittingJob,
} from '../../src/processor/runner/commit-schedule.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';

const INTERVAL_MS = 1_000;

/** A job whose commits complete as soon as they are settled, with the outcome the test queues. */
class FakeJob implements CommittingJob {
  dirty = false;
  lag = 0;
  activeWriters = 1;
  committing = false;
  commitDone = false;
  commitStartedAtMs = 0;
  lastCommitAtMs = 0;
  started = 0;
  next: CommitOutcome | Error = committed(1);
  constructor(private readonly clock: { ms: number }) {}

  startCommit(): Promise<void> {
    if (this.committing) throw new Error('already in flight');
    this.started++;
    this.committing = true;
    this.dirty = false;
    this.commitStartedAtMs = this.clock.ms;
    return Promise.resolve();
  }

  async settle(): Promise<CommitOutcome | undefined> {
    if (!this.committing) return undefined;
    this.committing = this.commitDone = false;
    if (this.next instanceof Error) throw this.next;
    if (this.next.kind === 'committed') this.lastCommitAtMs = this.clock.ms;
    return this.next;
  }
}

function committed(commit: number): CommitOutcome {
  const result = {
    commit,
    published: ['a', 'b'],
    checkpointBytes: 10,
    attempts: 1,
    conflicts: 0,
    restagedBytes: 0,
    durationMs: 12.4,
  };
  return { kind: 'committed', result, results: [{ group: 0, ...result }], rows: 5, prepareMs: 0.6 };
}

function newSchedule(logRatePerS?: number) {
  const clock = { ms: 10_000 };
  const job = new FakeJob(clock);
  const calls: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    format: 'json',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const hooks = {
    afterCommit: async () => void calls.push('afterCommit'),
    afterFence: async () => void calls.push('afterFence'),
  };
  const schedule = new CommitSchedule(job, hooks, {
    commitIntervalMs: INTERVAL_MS,
    logger,
    nowMs: () => clock.ms,
    ...(logRatePerS === undefined ? {} : { logRatePerS }),
  });
  return { clock, job, calls, lines, schedule };
}

describe('when a job commits', () => {
  it('is due only when something changed and commit_interval passed since the latest commit started', () => {
    const { clock, job, schedule } = newSchedule();
    job.commitStartedAtMs = clock.ms;
    clock.ms += INTERVAL_MS;
    expect(schedule.due).toBe(false); // nothing changed

    job.dirty = true;
    expect(schedule.due).toBe(true);

    clock.ms = job.commitStartedAtMs + INTERVAL_MS - 1;
    expect(schedule.due).toBe(false);
  });

  it('spaces commits out when more instances share the log than its rate allows', () => {
    const { clock, job, schedule } = newSchedule(4);
    job.dirty = true;
    job.commitStartedAtMs = clock.ms;
    clock.ms += INTERVAL_MS;
    job.activeWriters = 4; // 4 instances at 4 commits/s: commit_interval holds
    expect(schedule.intervalMs).toBe(INTERVAL_MS);
    expect(schedule.due).toBe(true);

    job.activeWriters = 16; // 16 instances: each commits every 4 s
    expect(schedule.intervalMs).toBe(4_000);
    expect(schedule.due).toBe(false);
    clock.ms = job.commitStartedAtMs + 4_000;
    expect(schedule.due).toBe(true);

    const unlimited = newSchedule(0);
    unlimited.job.activeWriters = 16;
    expect(unlimited.schedule.intervalMs).toBe(INTERVAL_MS);
  });

  it('commits after a micro-batch when due, and leaves the commit in flight', async () => {
    const { clock, job, schedule } = newSchedule();
    job.dirty = true;
    clock.ms += INTERVAL_MS;

    await schedule.afterBatch();

    expect(job.started).toBe(1);
    expect(job.committing).toBe(true);
  });

  it('does not hold micro-batches up for a commit in flight, unless it has run for OVERLAP_MS', async () => {
    const { clock, job, schedule } = newSchedule();
    job.dirty = true;
    clock.ms += INTERVAL_MS;
    await schedule.afterBatch();
    job.dirty = true;
    clock.ms += INTERVAL_MS;

    await schedule.afterBatch(); // due, but the first commit is still in flight
    await schedule.onTick(clock.ms);
    expect(job.started).toBe(1);
    expect(job.committing).toBe(true);

    job.commitDone = true; // done: the next micro-batch takes its outcome and starts the next one
    await schedule.afterBatch();
    expect(job.started).toBe(2);

    job.dirty = true;
    clock.ms += OVERLAP_MS; // the second one hangs: the records wait for it after all
    await schedule.afterBatch();
    expect(job.started).toBe(3);
  });

  it('settles the previous commit before starting the next one, and logs one line per checkpoint', async () => {
    const { job, calls, lines, schedule } = newSchedule();
    job.dirty = true;
    await schedule.commit();
    job.dirty = true;

    await schedule.commit();

    expect(job.started).toBe(2);
    expect(calls).toEqual(['afterCommit']);
    const checkpoint = lines.filter((line) => line.msg === 'checkpoint');
    expect(checkpoint).toEqual([
      expect.objectContaining({ commit: 1, files: 2, rows: 5, prepareMs: 1, durationMs: 12, attempts: 1 }),
    ]);
  });

  it('waits until the commit is durable on stop and before a rebalance', async () => {
    const { job, calls, schedule } = newSchedule();
    job.dirty = true;

    await schedule.commit(true);

    expect(job.started).toBe(1);
    expect(job.committing).toBe(false);
    expect(calls).toEqual(['afterCommit']);
  });

  it('starts nothing when nothing changed', async () => {
    const { job, schedule } = newSchedule();

    await schedule.commit(true);

    expect(job.started).toBe(0);
  });

  it('after a fenced commit re-adopts and starts no commit of the work thrown away', async () => {
    const { job, calls, lines, schedule } = newSchedule();
    job.dirty = true;
    await schedule.commit();
    job.next = { kind: 'fenced', message: 'lms.auth-3 was committed by writer b' };
    job.dirty = true;

    await schedule.commit();

    expect(job.started).toBe(1);
    expect(calls).toEqual(['afterFence']);
    expect(lines).toContainEqual(
      expect.objectContaining({ code: 'fenced', msg: 'lms.auth-3 was committed by writer b' }),
    );
  });

  it('rethrows a failed commit, so the job fails', async () => {
    const { job, calls, schedule } = newSchedule();
    job.dirty = true;
    await schedule.commit();
    job.next = new Error('S3 is down');

    await expect(schedule.settle()).rejects.toThrow('S3 is down');
    expect(calls).toEqual([]);
  });

  it('takes the outcome of a finished commit on a tick when no commit is due', async () => {
    const { clock, job, calls, schedule } = newSchedule();
    job.dirty = true;
    await schedule.commit();
    job.commitDone = true;

    await schedule.onTick(clock.ms);

    expect(job.committing).toBe(false);
    expect(calls).toEqual(['afterCommit']);
  });

  it('counts a tick that finds the job caught up with nothing to commit as progress for health', async () => {
    const { clock, job, schedule } = newSchedule();
    const startMs = clock.ms;
    job.lag = 5;
    await schedule.onTick(startMs + 20_000);
    expect(schedule.lastProgressAtMs).toBe(startMs); // behind: not clean

    job.lag = 0;
    await schedule.onTick(startMs + 30_000);

    expect(schedule.lastProgressAtMs).toBe(startMs + 30_000);
  });

  it('counts the last commit as progress for health', async () => {
    const { clock, job, schedule } = newSchedule();
    job.dirty = true;
    clock.ms += 5_000;

    await schedule.commit(true);

    expect(schedule.lastProgressAtMs).toBe(clock.ms);
  });
});
