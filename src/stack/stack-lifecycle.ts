/**
 * `stack up | down | status` behind the CLI. `up` runs in the foreground as the supervisor of the JVMs
 * until Ctrl-C/SIGTERM, recording itself in the state file; `up --detach` starts that supervisor in
 * the background (output to <state file>.log) and returns once the stack is healthy. `down` signals the
 * supervisor, then SIGKILLs any recorded JVM group that is still ours, and removes the state file.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeKafka } from './local-kafka.ts';
import { probeS3 } from './local-s3.ts';
import { signalGroup } from './jvm-process.ts';
import { startStack } from './stack.ts';
import { exportLines } from './stack-exports.ts';
import { StackError } from './stack-error.ts';
import {
  processAlive,
  readStackState,
  removeStackState,
  runningStackState,
  writeStackState,
} from './stack-state.ts';
import { logTail } from './wait-healthy.ts';

export type Print = (line: string) => void;

const BIN = fileURLToPath(new URL('../../bin/speed-layer.js', import.meta.url));
const DETACHED_START_TIMEOUT_MS = 20 * 60_000;
const DOWN_TIMEOUT_MS = 30_000;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadlineMs) return false;
    await sleep(100);
  }
  return true;
}

function printAlreadyRunning(stateFile: string, print: Print): boolean {
  const running = runningStackState(stateFile);
  if (running === undefined) return false;
  exportLines(running.endpoints).forEach(print);
  print(
    `# already running (supervisor pid ${running.supervisorPid}); \`npx speed-layer stack down\` stops it`,
  );
  return true;
}

/** Foreground: start, record, print the exports, and stay until a signal; then stop everything. */
export async function stackUpForeground(stateFile: string, print: Print): Promise<void> {
  if (printAlreadyRunning(stateFile, print)) return;
  const stack = await startStack();
  const state = {
    supervisorPid: process.pid,
    pids: stack.pids,
    modes: stack.modes,
    endpoints: stack.endpoints,
    startedAt: new Date().toISOString(),
    ...(stack.dataDir === undefined ? {} : { dataDir: stack.dataDir }),
  };
  await writeStackState(stateFile, state);
  exportLines(stack.endpoints).forEach(print);
  print(
    `# kafka ${stack.modes.kafka}, s3 ${stack.modes.s3}; Ctrl-C or \`npx speed-layer stack down\` stops it`,
  );
  const keepAlive = setInterval(() => {}, 60_000);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, () => resolve(name));
  });
  clearInterval(keepAlive);
  print(`# ${signal}: stopping the stack`);
  await stack.stop();
  if (readStackState(stateFile)?.supervisorPid === process.pid) await removeStackState(stateFile);
}

/** Background: start the foreground supervisor detached and return once its state file says it is up. */
export async function stackUpDetached(stateFile: string, print: Print): Promise<void> {
  if (printAlreadyRunning(stateFile, print)) return;
  await mkdir(dirname(stateFile), { recursive: true });
  const logFile = `${stateFile}.log`;
  const logFd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [BIN, 'stack', 'up', '--state-file', stateFile], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const supervisorPid = child.pid ?? -1;
  let exited = false;
  child.on('exit', () => (exited = true));
  child.unref();
  print(`# starting the stack in the background (pid ${supervisorPid}, log ${logFile})`);
  const ready = await waitFor(
    () => exited || readStackState(stateFile)?.supervisorPid === supervisorPid,
    DETACHED_START_TIMEOUT_MS,
  );
  const state = readStackState(stateFile);
  if (!ready || exited || state?.supervisorPid !== supervisorPid) {
    if (!exited) process.kill(supervisorPid, 'SIGTERM');
    throw new StackError(
      'start_failed',
      `the background stack did not start; ${logFile} ends:\n${await logTail(logFile)}`,
    );
  }
  exportLines(state.endpoints).forEach(print);
  print(`# kafka ${state.modes.kafka}, s3 ${state.modes.s3}; \`npx speed-layer stack down\` stops it`);
}

/** True when `pid` still runs a program whose command line names our data folder (so it is ours). */
function ownedBy(pid: number, dataDir: string | undefined): boolean {
  if (dataDir === undefined) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
  } catch {
    return false;
  }
}

export async function stackDown(stateFile: string, print: Print): Promise<void> {
  const state = readStackState(stateFile);
  if (state === undefined) {
    print('# no stack recorded: nothing to stop');
    return;
  }
  if (processAlive(state.supervisorPid)) {
    process.kill(state.supervisorPid, 'SIGTERM');
    if (!(await waitFor(() => !processAlive(state.supervisorPid), DOWN_TIMEOUT_MS))) {
      print(`# supervisor ${state.supervisorPid} did not stop in time: killing its JVMs`);
    }
  }
  for (const pid of state.pids) {
    if (ownedBy(pid, state.dataDir)) signalGroup(pid, 'SIGKILL');
  }
  const gone = await waitFor(() => state.pids.every((pid) => !ownedBy(pid, state.dataDir)), DOWN_TIMEOUT_MS);
  await removeStackState(stateFile);
  if (!gone) throw new StackError('stop_failed', `JVMs ${state.pids.join(', ')} are still running`);
  print(`# stopped (supervisor ${state.supervisorPid}, JVMs ${state.pids.join(', ') || 'none'})`);
}

/** Prints what runs and whether it answers; true when the stack is up and healthy. */
export async function stackStatus(stateFile: string, print: Print): Promise<boolean> {
  const state = readStackState(stateFile);
  if (state === undefined || !processAlive(state.supervisorPid)) {
    print(state === undefined ? '# no stack running' : `# stale state file ${stateFile}: supervisor is gone`);
    return false;
  }
  const answer = (probe: Promise<void>) =>
    probe.then(
      () => 'answers',
      (error: unknown) => `does not answer (${(error as Error).message})`,
    );
  const [kafka, s3] = await Promise.all([
    answer(probeKafka(state.endpoints.kafka)),
    answer(probeS3(state.endpoints.s3)),
  ]);
  print(
    `# supervisor pid ${state.supervisorPid}, JVM pids ${state.pids.join(', ') || 'none'}, since ${state.startedAt}`,
  );
  print(`# kafka (${state.modes.kafka}) ${kafka}; s3 (${state.modes.s3}) ${s3}`);
  exportLines(state.endpoints).forEach(print);
  return kafka === 'answers' && s3 === 'answers';
}
