import { describe, expect, inject, it } from 'vitest';
import { spawnRunner } from './run-child.ts';
import { createFixture, produceBackfill, START_TIMEOUT_MS, waitFor } from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

function checkpointsOf(output: string, job: string): number {
  return output
    .split('\n')
    .filter((line) => line.includes('"msg":"checkpoint"') && line.includes(`"job":"${job}"`)).length;
}

describe('speed-layer run --processes', () => {
  it('runs each job in a child process of its own and stops them all on SIGTERM with exit 0', async () => {
    const fixture = await createFixture(endpoints);
    await produceBackfill(endpoints, fixture, 5000, 200);
    const parent = spawnRunner(endpoints, fixture, ['auth', 'course', '--processes'], {
      maxOffsetsPerTrigger: '500',
      commitInterval: '200ms',
    });
    await waitFor(
      'both job processes to commit',
      () => checkpointsOf(parent.output(), 'auth') > 0 && checkpointsOf(parent.output(), 'course') > 0,
      START_TIMEOUT_MS,
    );
    const pids = new Set([...parent.output().matchAll(/"pid":(\d+)/g)].map((match) => Number(match[1])));
    expect(pids.size).toBeGreaterThanOrEqual(2); // every log line carries its process id: two children

    parent.process.kill('SIGTERM');
    const { code } = await parent.exited;
    expect(code).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(); // no child left behind
  });
});
