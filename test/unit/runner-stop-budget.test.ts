/**
 * A stop's final work within a budget: in time it is awaited (and its error thrown), past the budget the
 * stop goes on to leave the group and the work's later outcome is nobody's concern.
 */
import { describe, expect, it } from 'vitest';
import { withinBudget } from '../../src/processor/runner/stop-budget.ts';

describe('a stop waits for its final work within a budget', () => {
  it('is done when the work finishes in time, and throws its error', async () => {
    await expect(withinBudget(Promise.resolve(1), 60_000)).resolves.toBe('done');
    await expect(withinBudget(Promise.reject(new Error('store down')), 60_000)).rejects.toThrow('store down');
  });

  it('goes on when the work is not done by the budget (a commit stuck behind a contended log)', async () => {
    let finish: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (finish = resolve));
    await expect(withinBudget(stuck, 10)).resolves.toBe('late');
    finish();
  });

  it('lets late work fail without an unhandled rejection', async () => {
    let fail: (error: Error) => void = () => undefined;
    const stuck = new Promise<void>((_, reject) => (fail = reject));
    await expect(withinBudget(stuck, 10)).resolves.toBe('late');
    fail(new Error('fenced after the stop went on'));
    await new Promise((resolve) => setTimeout(resolve, 10)); // an unhandled rejection would fail the run
  });

  it('waits as long as it takes without a budget', async () => {
    const slow = new Promise<void>((resolve) => setTimeout(resolve, 30));
    await expect(withinBudget(slow, Infinity)).resolves.toBe('done');
  });
});
