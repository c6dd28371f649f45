/**
 * Drives engine steps (engine/steps.ts) in slices: the steps run at once until a slice has lasted
 * `sliceMs`, then the loop gets a turn (the process's other jobs, I/O) before the next slice. Short work
 * — nearly every commit — finishes in its first slice and returns synchronously; only long work (a busy
 * partition's whole state) becomes a promise. The caller must change nothing the steps read until the
 * last one (the job's mutex keeps its records out meanwhile).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Steps } from '../engine/steps.ts';

/** Long enough that a turn costs nothing beside it, short enough for a provisional round to keep its pace. */
export const SLICE_MS = 20;

export interface SlicedResult<T> {
  value: T;
  /** Time spent in the steps themselves, without the turns between slices. */
  busyMs: number;
}

export function runSliced<T>(
  steps: Steps<T>,
  sliceMs = SLICE_MS,
): SlicedResult<T> | Promise<SlicedResult<T>> {
  let busyMs = 0;
  /** One slice; the steps' value when they ended in it. */
  const slice = (): { value: T } | undefined => {
    const startedMs = performance.now();
    for (;;) {
      const step = steps.next();
      const elapsedMs = performance.now() - startedMs;
      if (step.done === true || elapsedMs >= sliceMs) {
        busyMs += elapsedMs;
        return step.done === true ? { value: step.value } : undefined;
      }
    }
  };
  const first = slice();
  if (first !== undefined) return { value: first.value, busyMs };
  return (async () => {
    for (;;) {
      await nextTurn();
      const done = slice();
      if (done !== undefined) return { value: done.value, busyMs };
    }
  })();
}
