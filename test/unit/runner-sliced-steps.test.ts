import { describe, expect, it } from 'vitest';
import { runSliced } from '../../src/processor/runner/sliced-steps.ts';

function* counting(steps: number, log: string[]): Generator<void, number> {
  for (let step = 0; step < steps; step++) {
    log.push(`step ${step}`);
    yield;
  }
  return steps;
}

describe('steps run in slices', () => {
  it('returns at once when the steps end within the first slice', () => {
    const result = runSliced(counting(3, []), 60_000);

    expect(result).not.toBeInstanceOf(Promise);
    expect((result as { value: number }).value).toBe(3);
  });

  it('gives the loop a turn between slices, and then resolves with the value', async () => {
    const log: string[] = [];
    const turn = new Promise<void>((resolve) => setImmediate(() => (log.push('other work'), resolve())));

    const result = runSliced(counting(3, log), 0);

    expect(result).toBeInstanceOf(Promise);
    expect(log).toEqual(['step 0']);
    await turn;
    expect((await result).value).toBe(3);
    expect(log[0]).toBe('step 0');
    expect(log).toContain('other work');
    expect(log.indexOf('other work')).toBeLessThan(log.indexOf('step 2'));
  });

  it('rejects with the error of a step', async () => {
    function* failing(): Generator<void, number> {
      yield;
      throw new Error('bad state');
    }

    await expect(runSliced(failing(), 0)).rejects.toThrow('bad state');
  });
});
