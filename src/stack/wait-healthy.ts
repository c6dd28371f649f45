/** Waits until a service answers, failing early when its JVM dies, with the tail of its log in the error. */
import { readFile } from 'node:fs/promises';
import type { JvmProcess } from './jvm-process.ts';
import { StackError } from './stack-error.ts';

const POLL_INTERVAL_MS = 250;
const LOG_TAIL_LINES = 25;

export async function logTail(file: string, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Calls `probe` until it resolves; each failure is remembered and reported if the time runs out. */
export async function waitHealthy(
  jvm: JvmProcess,
  probe: () => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (!jvm.isRunning()) {
      const code = await jvm.exited;
      const tail = await logTail(jvm.logFile);
      throw new StackError(
        'start_failed',
        `${jvm.name} exited (${code}) while starting; ${jvm.logFile} ends:\n${tail}`,
      );
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadlineMs) {
      const tail = await logTail(jvm.logFile);
      const message = `${jvm.name} did not answer within ${timeoutMs} ms (last error: ${lastError}); ${jvm.logFile} ends:\n${tail}`;
      throw new StackError('start_timeout', message, { retryable: true });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
