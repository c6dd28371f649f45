/**
 * The state file of `speed-layer stack up`: the supervisor's pid, the JVMs' pids and the endpoints, so
 * `stack down`/`stack status` and other commands (generator, runner, load tests) find a running stack.
 * Written atomically with mode 0600 (it holds the stack's random S3 credentials).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StackEndpoints } from './endpoints.ts';
import { cacheRoot } from './jvm-artifacts.ts';
import { resolveEndpointsFromEnv } from './stack-exports.ts';
import { readStackEnv, type Env, type ServiceMode } from './stack-env.ts';
import { StackError } from './stack-error.ts';

export interface StackState {
  /** The `stack up` process that owns the JVMs; stopping it stops them. */
  supervisorPid: number;
  /** The JVMs (each the leader of its process group). */
  pids: number[];
  dataDir?: string;
  modes: { kafka: ServiceMode; s3: ServiceMode };
  endpoints: StackEndpoints;
  startedAt: string;
}

/** `$STACK_STATE_FILE` or <cache>/stack-state.json. */
export function defaultStateFile(env: Env = process.env): string {
  const configured = env.STACK_STATE_FILE?.trim();
  return configured !== undefined && configured !== ''
    ? configured
    : join(cacheRoot(env), 'stack-state.json');
}

export async function writeStackState(file: string, state: StackState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

export function readStackState(file: string): StackState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
    return typeof state.supervisorPid === 'number' && Array.isArray(state.pids) ? state : undefined;
  } catch {
    return undefined;
  }
}

export async function removeStackState(file: string): Promise<void> {
  await rm(file, { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The state of a `stack up` whose supervisor is still alive, else undefined. */
export function runningStackState(file = defaultStateFile()): StackState | undefined {
  const state = readStackState(file);
  return state !== undefined && processAlive(state.supervisorPid) ? state : undefined;
}

/**
 * Endpoints for the generator, the runner and the load tests: each service from the environment when
 * it is named there (KAFKA_BROKERS, S3_ENDPOINT), otherwise from a running `stack up`.
 */
export function endpointsFromEnvOrState(
  env: Env = process.env,
  file = defaultStateFile(env),
): StackEndpoints {
  const fromEnv = resolveEndpointsFromEnv(env);
  if (fromEnv !== undefined) return fromEnv;
  const result = readStackEnv(env);
  if (!result.ok) throw new StackError('bad_env', `bad stack environment: ${result.errors.join('; ')}`);
  const state = runningStackState(file);
  if (state === undefined) {
    throw new StackError(
      'no_stack',
      'no Kafka/S3 to use: set KAFKA_BROKERS and S3_ENDPOINT, or run `npx speed-layer stack up` first',
    );
  }
  const { kafka, s3 } = result.settings;
  return {
    kafka: kafka ?? state.endpoints.kafka,
    s3: s3 ?? state.endpoints.s3,
    partitions: env.PARTITIONS !== undefined ? result.settings.partitions : state.endpoints.partitions,
  };
}
