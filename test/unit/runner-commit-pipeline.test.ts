import { describe, expect, it } from 'vitest';
import type { CommitResult } from '../../src/processor/io/commit.ts';
import type { GroupResult, GroupWrite } from '../../src/processor/io/commit-groups.ts';
import { StorageError } from '../../src/storage/storage-error.ts';
import {
  CommitPipeline,
  summedResult,
  type PreparedWrite,
} from '../../src/processor/runner/commit-pipeline.ts';

/** A committer whose storage part finishes when the test says so. */
class ControlledCommitter {
  writes: (readonly GroupWrite[])[] = [];
  tidiedCalls = 0;
  private finish: ((results: GroupResult[]) => void) | undefined;
  private fail: ((error: unknown) => void) | undefined;

  commitVisible(writes: readonly GroupWrite[]): Promise<GroupResult[]> {
    this.writes.push(writes);
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
  }

  async tidied(): Promise<void> {
    this.tidiedCalls++;
  }

  visible(commit: number): void {
    this.finish!([
      {
        group: 0,
        commit,
        published: [],
        checkpointBytes: 100,
        attempts: 1,
        conflicts: 0,
        restagedBytes: 0,
        durationMs: 5,
      },
    ]);
  }

  failWith(error: unknown): void {
    this.fail!(error);
  }
}

function write(
  onVisible: (result: CommitResult, visibleMs: number) => void = () => undefined,
): PreparedWrite {
  return {
    writes: [{ group: 0, snapshots: [], files: [] }],
    visible: (results, visibleMs) => {
      const result = summedResult(results);
      onVisible(result, visibleMs);
      return { kind: 'committed', result, results, rows: 3, prepareMs: 1 };
    },
  };
}

/** Lets every promise callback already due run (no clock involved). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function newPipeline(clock = { ms: 1_000 }) {
  const committer = new ControlledCommitter();
  return { committer, clock, pipeline: new CommitPipeline('auth', committer as never, () => clock.ms) };
}

describe('the commit pipeline', () => {
  it('prepares a commit at once and keeps it in flight until its outcome is settled', async () => {
    const { committer, clock, pipeline } = newPipeline();
    let prepared = 0;
    clock.ms = 2_000;

    pipeline.start(() => (prepared++, write()));

    expect(prepared).toBe(1);
    expect(committer.writes).toHaveLength(1);
    expect(pipeline.startedAtMs).toBe(2_000);
    expect(pipeline.inFlight).toBe(true);
    expect(pipeline.done).toBe(false);
    committer.visible(7);
    const outcome = await pipeline.settle();
    expect(outcome).toMatchObject({ kind: 'committed', rows: 3, result: { commit: 7 } });
    expect(committer.tidiedCalls).toBe(1);
    expect(pipeline.inFlight).toBe(false);
  });

  it('refuses a second commit while one is in flight, without preparing it', () => {
    const { pipeline } = newPipeline();
    pipeline.start(() => write());
    let preparedAgain = false;

    const second = () => pipeline.start(() => ((preparedAgain = true), write()));

    expect(second).toThrow(/auth: a commit is already in flight/);
    expect(preparedAgain).toBe(false);
  });

  it('refuses a change of ownership until the commit in flight is settled', async () => {
    const { committer, pipeline } = newPipeline();
    pipeline.assertSettled();
    pipeline.start(() => write());

    expect(() => pipeline.assertSettled()).toThrow(/settle the commit in flight first/);
    committer.visible(1);
    await pipeline.settle();
    expect(() => pipeline.assertSettled()).not.toThrow();
  });

  it('is done once the storage part finished, so settling it then does not wait', async () => {
    const { committer, pipeline } = newPipeline();
    pipeline.start(() => write());
    await flush();
    expect(pipeline.done).toBe(false);

    committer.visible(4);
    await flush();

    expect(pipeline.done).toBe(true);
    expect((await pipeline.settle())?.kind).toBe('committed');
    expect(pipeline.done).toBe(false);
  });

  it('runs the bookkeeping when the commit is visible, with the time it became visible', async () => {
    const { committer, clock, pipeline } = newPipeline();
    const seen: [number, number][] = [];
    pipeline.start(() => write((result, visibleMs) => seen.push([result.commit, visibleMs])));
    clock.ms = 5_000;

    committer.visible(9);
    await pipeline.settle();

    expect(seen).toEqual([[9, 5_000]]);
    expect(pipeline.visibleAtMs).toBe(5_000);
  });

  it('turns a fenced storage error into an outcome, without bookkeeping', async () => {
    const { committer, pipeline } = newPipeline();
    let bookkept = false;
    pipeline.start(() => write(() => (bookkept = true)));

    committer.failWith(new StorageError('fenced', 'lms.auth-0 was committed by writer w2 in commit 5'));
    const outcome = await pipeline.settle();

    expect(outcome).toEqual({ kind: 'fenced', message: 'lms.auth-0 was committed by writer w2 in commit 5' });
    expect(bookkept).toBe(false);
    expect(pipeline.inFlight).toBe(false);
  });

  it('rethrows any other storage failure when settled, and is then free for the next commit', async () => {
    const { committer, pipeline } = newPipeline();
    pipeline.start(() => write());

    committer.failWith(new Error('S3 is down'));

    await expect(pipeline.settle()).rejects.toThrow('S3 is down');
    expect(pipeline.inFlight).toBe(false);
    expect(() => pipeline.start(() => write())).not.toThrow();
  });

  it('fails the commit when its bookkeeping throws, and does not tidy up then', async () => {
    const { committer, pipeline } = newPipeline();
    pipeline.start(() =>
      write(() => {
        throw new Error('journal mark out of order');
      }),
    );

    committer.visible(2);

    await expect(pipeline.settle()).rejects.toThrow('journal mark out of order');
    expect(committer.tidiedCalls).toBe(0);
  });

  it('has nothing to settle when no commit was started', async () => {
    const { pipeline } = newPipeline();

    const outcome = await pipeline.settle();

    expect(outcome).toBeUndefined();
  });
});

describe('a commit over several commit groups, as one result', () => {
  it('keeps the highest number, the most tries of one group and the longest duration; sums the rest', () => {
    const part = (group: number, commit: number, attempts: number, durationMs: number): GroupResult => ({
      group,
      commit,
      published: [`file-${group}`],
      checkpointBytes: 100,
      attempts,
      conflicts: attempts - 1,
      restagedBytes: 10 * (attempts - 1),
      durationMs,
    });
    expect(summedResult([part(0, 7, 1, 40), part(1, 3, 3, 25)])).toEqual({
      commit: 7,
      published: ['file-0', 'file-1'],
      checkpointBytes: 200,
      attempts: 3,
      conflicts: 2,
      restagedBytes: 20,
      durationMs: 40,
    });
  });
});
