/**
 * `--every`: `--closed` again and again, `intervalMs` apart, until the signal aborts. A failed round
 * (a store that did not answer) is reported and the next round tries again; a refused request (an
 * unknown view) fails every round the same, so it ends the loop. Each day a round computes is
 * reconciled (unless `reconcile: false`), and `onReconciled` sees its report (the gauges).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isBatchError } from './batch-error.ts';
import { runBatch, type BatchRequest } from './run-batch.ts';

export async function runBatchEvery(
  request: Omit<BatchRequest, 'selection'>,
  intervalMs: number,
  signal: AbortSignal,
  report: (line: string) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await runBatch({ ...request, selection: { kind: 'closed' } });
    } catch (error) {
      if (isBatchError(error)) throw error;
      report(`round failed, next in ${intervalMs} ms: ${(error as Error).message ?? String(error)}`);
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => {});
  }
}
