/**
 * The live JVMs of this process, and the handlers that stop them when the process ends: `exit`
 * (synchronous, so SIGKILL to each group) and SIGINT/SIGTERM/SIGHUP (graceful stop, then the signal is
 * raised again when no one else handles it, so the exit code stays 128 + signal).
 */
interface StoppableChild {
  readonly pid: number;
  stop(graceMs?: number): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_STOP_GRACE_MS = 5_000;
const children = new Set<StoppableChild>();
let installed = false;
/** Set by a caller that stops its stack itself on these signals, after its own clean shutdown. */
let signalsLeftToCaller = false;

function killAllNow(): void {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  children.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (signalsLeftToCaller) return;
  // Counted now: a `once` listener of someone else is gone by the time our stop finishes.
  const othersListen = process.listenerCount(signal) > 1;
  void Promise.allSettled([...children].map((child) => child.stop(SIGNAL_STOP_GRACE_MS))).then(() => {
    uninstall();
    // Another listener (a test runner, the CLI) decides how to exit; otherwise die of the signal as usual.
    if (!othersListen) process.kill(process.pid, signal);
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', killAllNow);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * For `npm start` and `run`: their jobs must commit before Kafka and S3 go away, so on SIGINT/SIGTERM/SIGHUP it stops
 * the jobs and then calls the stack's stop() itself. The `exit` handler and each JVM's watchdog still
 * stop the JVMs if the process dies any other way.
 */
export function leaveSignalsToCaller(): void {
  signalsLeftToCaller = true;
}

export function registerChild(child: StoppableChild): void {
  children.add(child);
  install();
}

export function unregisterChild(child: StoppableChild): void {
  children.delete(child);
  if (children.size === 0) uninstall();
}

export function liveChildCount(): number {
  return children.size;
}
