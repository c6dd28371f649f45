/** A `speed-layer batch` child process over the stack's S3, for tests that kill it midway. */
import { spawn, type ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import type { BatchLayout } from '../../src/batch/batch-layout.ts';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import { stackEnv } from './run-fixture.ts';

export interface BatchChild {
  process: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnBatch(
  endpoints: StackEndpoints,
  layout: BatchLayout,
  args: readonly string[],
): BatchChild {
  const child = spawn(
    process.execPath,
    [
      'bin/speed-layer.js',
      'batch',
      ...args,
      '--raw-prefix',
      layout.rawPrefix,
      '--views-prefix',
      layout.viewsPrefix,
      '--batch-prefix',
      layout.batchPrefix,
      '--reconciliation-prefix',
      layout.reconciliationPrefix,
    ],
    { env: stackEnv(endpoints), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const onData = (chunk: Buffer): void => void (output += chunk.toString('utf8'));
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { process: child, output: () => output, exited };
}
