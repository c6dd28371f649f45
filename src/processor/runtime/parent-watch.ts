/**
 * Stops a runner whose parent went away. `npx speed-layer run` (npm exec) does not pass SIGTERM on to
 * its node child, so killing npx left the runner consuming and committing under pid 1. A process whose
 * parent dies is re-parented (to init or a subreaper): its ppid changes, which a cheap poll notices.
 */
const POLL_MS = 1000;

/** Calls `onGone` once when the parent process changes; returns a function that stops watching. */
export function watchParent(
  onGone: (formerParent: number) => void,
  { parentPid = () => process.ppid, pollMs = POLL_MS } = {},
): () => void {
  const parent = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, pollMs);
  timer.unref(); // never the reason the process stays alive
  return () => clearInterval(timer);
}
