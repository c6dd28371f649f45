/**
 * `run --processes`: one child process per job (`speed-layer run <job>` with the same flags), each
 * restarted with backoff when it dies; a child that exits with PERMANENT_FAILURE_EXIT (bad topics, a
 * retention gap) stops them all. SIGTERM/SIGINT are forwarded and the children get 10 s to commit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

export const PERMANENT_FAILURE_EXIT = 3;
const BIN = fileURLToPath(new URL('../../../bin/speed-layer.js', import.meta.url));
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

export interface ChildSpec {
  job: string;
  args: string[];
  /** The child's environment: the endpoints the parent resolved, so every job uses the same Kafka and S3. */
  env: NodeJS.ProcessEnv;
}

/** Runs the children until stopped or one fails for good; resolves with the exit code for the parent. */
export function superviseProcesses(specs: readonly ChildSpec[], logger: Logger): Promise<number> {
  const children = new Map<string, ChildProcess>();
  const backoffMs = new Map(specs.map((spec) => [spec.job, BACKOFF_FIRST_MS]));
  let stopping = false;
  return new Promise((resolve) => {
    const stopAll = (code: number): void => {
      if (stopping) return;
      stopping = true;
      for (const child of children.values()) child.kill('SIGTERM');
      const waitAll = [...children.values()].map(
        (child) => new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done))),
      );
      void Promise.all(waitAll).then(() => resolve(code));
    };
    const launch = (spec: ChildSpec): void => {
      if (stopping) return;
      const child = spawn(process.execPath, [BIN, 'run', spec.job, ...spec.args], {
        stdio: 'inherit',
        env: spec.env,
      });
      children.set(spec.job, child);
      const startedMs = Date.now();
      child.once('exit', (code, signal) => {
        children.delete(spec.job);
        if (stopping) return;
        if (code === PERMANENT_FAILURE_EXIT) {
          logger.error({ job: spec.job, code }, 'job failed for good; stopping all jobs');
          stopAll(1);
          return;
        }
        if (Date.now() - startedMs > 60_000) backoffMs.set(spec.job, BACKOFF_FIRST_MS);
        const delayMs = backoffMs.get(spec.job)!;
        backoffMs.set(spec.job, Math.min(BACKOFF_MAX_MS, delayMs * 2));
        logger.warn({ job: spec.job, code, signal, restartInMs: delayMs }, 'job process exited; restarting');
        setTimeout(() => launch(spec), delayMs);
      });
    };
    for (const spec of specs) launch(spec);
    process.once('SIGTERM', () => stopAll(0));
    process.once('SIGINT', () => stopAll(0));
  });
}
