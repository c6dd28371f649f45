/**
 * A JVM child process that cannot outlive us. Each runs in its own process group (pgid = its pid)
 * through `sh -c`, which first forks a watchdog into the same group and then execs java: the watchdog
 * polls our pid every second and, once we are gone (even SIGKILLed), sends SIGTERM and later SIGKILL
 * to the group. Stopping = SIGTERM to the group, wait, SIGKILL to the group (which also ends the
 * watchdog). Every live process is registered so exit/SIGINT/SIGTERM/SIGHUP handlers stop them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { registerChild, unregisterChild } from './child-registry.ts';

export interface JvmCommand {
  name: string;
  classpath: string;
  mainClass: string;
  args: readonly string[];
  jvmOptions: readonly string[];
  /** stdout and stderr of the JVM go here, never to ours. */
  logFile: string;
  cwd: string;
}

export interface JvmProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal's name) when the JVM has exited. */
  readonly exited: Promise<number | string>;
  isRunning(): boolean;
  /** Resolves with the exit code, or 'timeout'; keeps the event loop alive meanwhile. */
  waitExit(timeoutMs: number): Promise<number | string>;
  stop(graceMs?: number): Promise<void>;
}

export const DEFAULT_STOP_GRACE_MS = 15_000;
const WATCHDOG_GRACE_S = 10;
/** After SIGKILL the watchdog is a zombie until init reaps it: wait so "stopped" means "gone". */
const GROUP_GONE_TIMEOUT_MS = 5_000;

/** `sh -c` script: $1 = parent pid, the rest = the java command line. */
export const WATCHDOG_SCRIPT = [
  'parent=$1; shift',
  `( trap '' TERM INT HUP; while kill -0 "$parent" 2>/dev/null; do sleep 1; done;` +
    ` kill -TERM 0; sleep ${WATCHDOG_GRACE_S}; kill -KILL 0 ) &`,
  'exec "$@"',
].join('\n');

export function javaBinary(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.JAVA_HOME?.trim();
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (signalGroup(pgid, 0) && Date.now() < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function startJvm(command: JvmCommand): JvmProcess {
  const logFd = openSync(command.logFile, 'a');
  let child: ChildProcess;
  try {
    const javaArgs = [...command.jvmOptions, '-cp', command.classpath, command.mainClass, ...command.args];
    child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'sh', String(process.pid), javaBinary(), ...javaArgs], {
      cwd: command.cwd,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${command.name}: spawn returned no pid`);
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', () => {
      running = false;
      resolve('spawn-error');
    });
  });
  // The JVM must not keep our event loop alive on its own: stopping is explicit or via the registry.
  // While we wait for it, a (referenced) timer keeps the loop alive instead.
  child.unref();
  const waitExit = (timeoutMs: number): Promise<number | string> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, 'timeout');
    });
    return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
  };

  const jvm: JvmProcess = {
    name: command.name,
    pid,
    logFile: command.logFile,
    exited,
    isRunning: () => running,
    waitExit,
    stop: async (graceMs = DEFAULT_STOP_GRACE_MS) => {
      if (running) {
        signalGroup(pid, 'SIGTERM');
        await waitExit(graceMs);
      }
      // Also ends the watchdog (which ignores SIGTERM) and anything else left in the group.
      signalGroup(pid, 'SIGKILL');
      await waitExit(60_000);
      await waitGroupGone(pid, GROUP_GONE_TIMEOUT_MS);
      unregisterChild(jvm);
    },
  };
  registerChild(jvm);
  return jvm;
}

/** Runs a JVM tool to completion (e.g. Kafka's storage format); rejects on a non-zero exit or timeout. */
export async function runJvm(command: JvmCommand, timeoutMs: number): Promise<void> {
  const jvm = startJvm(command);
  const outcome = await jvm.waitExit(timeoutMs);
  await jvm.stop(0);
  if (outcome === 0) return;
  const what = outcome === 'timeout' ? `did not finish within ${timeoutMs} ms` : `exited with ${outcome}`;
  throw new Error(`${command.name} ${what}`);
}
