/** A `speed-layer run` child process for the crash, scale-out and graceful-stop tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { onTestFinished } from 'vitest';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import { fixtureArgs, stackEnv, type RunFixture } from './run-fixture.ts';

export interface RunnerChild {
  process: ChildProcess;
  /** Checkpoint log lines seen so far. */
  checkpoints(): number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the child; one still running when the test finishes (it failed midway) is stopped. */
export function spawnRunner(
  endpoints: StackEndpoints,
  fixture: RunFixture,
  jobs: readonly string[],
  overrides: Record<string, string> = {},
): RunnerChild {
  const args = [
    'bin/speed-layer.js',
    'run',
    ...jobs,
    ...fixtureArgs(fixture, { logLevel: 'info', ...overrides }),
  ];
  const child = spawn(process.execPath, args, {
    env: stackEnv(endpoints),
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
  return { process: child, checkpoints: () => checkpoints, output: () => output, exited };
}

/**
 * With DuckDB over local copies of a view's published files: how many rows share the given key columns
 * with another row. For views keyed by user_id each (window, user) lives in one partition and is final
 * once, so any such row was published twice.
 */
export async function duplicateRowsByDuckDb(
  fixture: RunFixture,
  keys: readonly string[],
  columns: string,
): Promise<{ rows: number; duplicated: number }> {
  if (keys.length === 0) return { rows: 0, duplicated: 0 };
  const dir = await mkdtemp(join(tmpdir(), 'run-duck-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const paths: string[] = [];
    for (const [index, key] of keys.entries()) {
      const path = join(dir, `${index}.parquet`);
      await writeFile(path, (await fixture.store.get(key))!);
      paths.push(path);
    }
    const list = paths.map((path) => `'${path}'`).join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT count(*) AS n, count(*) - count(DISTINCT (${columns})) AS d FROM read_parquet([${list}])`,
    );
    const [row] = reader.getRowObjectsJson() as { n: string; d: string }[];
    return { rows: Number(row!.n), duplicated: Number(row!.d) };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
