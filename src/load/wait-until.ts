/** Polling for the load scenarios: a condition checked until it holds, with a deadline that names it. */
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves with the seconds `condition` took to hold; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  pollMs = 100,
): Promise<number> {
  const startedMs = performance.now();
  while (!(await condition())) {
    if (performance.now() - startedMs > timeoutMs)
      throw new Error(`sustained: timed out waiting for ${what}`);
    await sleep(pollMs);
  }
  return (performance.now() - startedMs) / 1000;
}
