/** A `speed-layer run` child process for the crash, scale-out and graceful-stop tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import { fixtureArgs, stackEnv, type RunFixture } from './run-fixture.ts';

/** One JSON log line of the child (pino: `time` in epoch ms, `msg`, the logged fields). */
export interface LogLine {
  time: number;
  msg: string;
  [field: string]: unknown;
}

export interface RunnerChild {
  process: ChildProcess;
  /** Checkpoint log lines seen so far. */
  checkpoints(): number;
  output(): string;
  /** The complete JSON log lines so far (other output skipped). */
  logLines(): LogLine[];
  /** `http://127.0.0.1:<port>` (/healthz, /metrics) once the `jobs started` line is out. */
  httpUrl(): string | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the child; one still running when the test finishes (it failed midway) is stopped. */
export function spawnRunner(
  endpoints: StackEndpoints,
  fixture: RunFixture,
  jobs: readonly string[],
  overrides: Record<string, string> = {},
  env: Record<string, string> = {},
): RunnerChild {
  const args = [
    'bin/speed-layer.js',
    'run',
    ...jobs,
    ...fixtureArgs(fixture, { logLevel: 'info', ...overrides }),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...stackEnv(endpoints), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let checkpoints = 0;
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    checkpoints += text.split('"msg":"checkpoint"').length - 1;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM'); // a --processes parent passes it on to its job processes
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(kill);
  });
  const logLines = (): LogLine[] =>
    output.split('\n').flatMap((line) => {
      if (!line.startsWith('{') || !line.endsWith('}')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  const httpUrl = (): string | undefined =>
    logLines().find((line) => line.msg === 'jobs started')?.http as string | undefined;
  return {
    process: child,
    checkpoints: () => checkpoints,
    output: () => output,
    logLines,
    httpUrl,
    exited,
  };
}
