import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../src/ingest/group-commit.ts';

/** A flush that records its batches and completes only when the test releases it. */
function gatedFlush() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const failures: (Error | undefined)[] = [];
  const flush = (items: number[]): Promise<void> => {
    batches.push(items);
    const failure = failures.shift();
    return new Promise((resolve, reject) => gates.push(() => (failure ? reject(failure) : resolve())));
  };
  const release = async (): Promise<void> => {
    gates.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { flush, batches, release, failures };
}

function outcome(done: Promise<void>): Promise<string> {
  return done.then(
    () => 'ok',
    (error: unknown) => (error as Error).message,
  );
}

describe('GroupCommitter', () => {
  it('sends the first add at once and everything added during that flush together in the next', async () => {
    const gate = gatedFlush();
    const committer = new GroupCommitter<number>({ flush: gate.flush, maxBatchWeight: 100 });
    const first = committer.add([1, 2]);
    const second = committer.add([3]);
    const third = committer.add([4, 5]);
    expect(gate.batches).toEqual([[1, 2]]);
    await gate.release();
    await first;
    expect(gate.batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    await gate.release();
    await Promise.all([second, third]);
    await committer.drain();
    expect(committer.pendingCount).toBe(0);
  });

  it('resolves a caller only once every one of its items is flushed', async () => {
    const gate = gatedFlush();
    const committer = new GroupCommitter<number>({ flush: gate.flush, maxBatchWeight: 2 });
    let settled = false;
    void committer.add([1, 2, 3, 4, 5]).then(() => (settled = true));
    await gate.release();
    await gate.release();
    expect(settled).toBe(false);
    await gate.release();
    expect(settled).toBe(true);
    expect(gate.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('caps a batch by weight but never leaves a heavy item behind', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter<string>({
      flush: async (items) => void batches.push(items),
      weigh: (item) => item.length,
      maxBatchWeight: 5,
    });
    await Promise.all([committer.add(['aa']), committer.add(['bbb', 'cccccccc', 'd'])]);
    expect(batches).toEqual([['aa'], ['bbb'], ['cccccccc'], ['d']]);
  });

  it('rejects exactly the callers whose items were in a failed flush', async () => {
    const gate = gatedFlush();
    const committer = new GroupCommitter<number>({ flush: gate.flush, maxBatchWeight: 100 });
    // Outcomes are captured at once: a rejection nobody listens to yet would be reported as unhandled.
    const first = outcome(committer.add([1]));
    gate.failures.push(new Error('broker down')); // for the second flush: the first already started
    const second = outcome(committer.add([2]));
    const third = outcome(committer.add([3]));
    await gate.release();
    await gate.release();
    expect(await first).toBe('ok');
    expect(await second).toBe('broker down');
    expect(await third).toBe('broker down');
    const fourth = committer.add([4]);
    await gate.release();
    await expect(fourth).resolves.toBeUndefined();
  });

  it('waits lingerMs after the first item of an idle period', async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number>({
      flush: async (items) => void batches.push(items),
      maxBatchWeight: 100,
      lingerMs: 20,
    });
    const done = Promise.all([committer.add([1]), committer.add([2])]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([]);
    await done;
    expect(batches).toEqual([[1, 2]]);
  });

  it('refuses a non-positive batch weight at construction', () => {
    expect(() => new GroupCommitter<number>({ flush: async () => undefined, maxBatchWeight: 0 })).toThrow(
      'GroupCommitter: maxBatchWeight must be > 0, got 0',
    );
  });
});
