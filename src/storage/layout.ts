/**
 * Where everything lives under the store root (semantics.md "Storage layout"; prefixes configurable,
 * defaults of the original design). Final file names are pure functions of (directory, job, commit), so
 * publishing a commit twice writes the same keys with the same bytes.
 */
export interface StorageLayout {
  viewsPrefix: string;
  checkpointsPrefix: string;
  deadLetterPrefix: string;
}

export const DEFAULT_LAYOUT: StorageLayout = {
  viewsPrefix: 'realtime_views/',
  checkpointsPrefix: 'checkpoints/speed/',
  deadLetterPrefix: 'dead_letter/',
};

/** Commit numbers are zero-padded so keys sort in commit order. */
const COMMIT_DIGITS = 12;

export function padCommit(commit: number): string {
  return String(commit).padStart(COMMIT_DIGITS, '0');
}

export function jobPrefix(layout: StorageLayout, job: string): string {
  return `${layout.checkpointsPrefix}${job}_stream/`;
}

export function commitsPrefix(layout: StorageLayout, job: string): string {
  return `${jobPrefix(layout, job)}commits/`;
}

export function commitKey(layout: StorageLayout, job: string, commit: number): string {
  return `${commitsPrefix(layout, job)}${padCommit(commit)}.ckpt`;
}

/** The commit number of a key under commitsPrefix, or undefined for anything else. */
export function commitOfKey(layout: StorageLayout, job: string, key: string): number | undefined {
  const match = /^(\d+)\.ckpt$/.exec(key.slice(commitsPrefix(layout, job).length));
  return match === null ? undefined : Number(match[1]);
}

export function stagingRoot(layout: StorageLayout, job: string): string {
  return `${jobPrefix(layout, job)}staging/`;
}

/** One directory per (commit attempt, writer), so a live writer's staging is never another's. */
export function stagingDir(layout: StorageLayout, job: string, commit: number, writerId: string): string {
  return `${stagingRoot(layout, job)}${padCommit(commit)}-${writerId}/`;
}

/** The commit number a staging key was staged for, or undefined when the key is not a staging key. */
export function commitOfStagingKey(layout: StorageLayout, job: string, key: string): number | undefined {
  const match = /^(\d+)-[^/]+\//.exec(key.slice(stagingRoot(layout, job).length));
  return match === null ? undefined : Number(match[1]);
}

const DAY_MS = 86_400_000;
/** The last day formatted: a commit's rows and dead letters mostly share a few days. */
let memoDay = NaN;
let memoDate = '';

/** `YYYY-MM-DD` of an epoch-ms instant, in UTC. */
export function utcDate(epochMs: number): string {
  const day = Math.floor(epochMs / DAY_MS);
  if (day !== memoDay) {
    memoDate = new Date(day * DAY_MS).toISOString().slice(0, 10); // throws (RangeError) on NaN, as Date does
    memoDay = day;
  }
  return memoDate;
}

export function viewDateDir(layout: StorageLayout, view: string, date: string): string {
  return `${layout.viewsPrefix}${view}/date=${date}`;
}

export function deadLetterDateDir(layout: StorageLayout, topic: string, date: string): string {
  return `${layout.deadLetterPrefix}${topic}/date=${date}`;
}

/** A file a commit publishes: its directory under the root, extension and bytes; the name comes from the commit. */
export interface OutputFile {
  dir: string;
  extension: string;
  body: Uint8Array;
}

export function finalKey(file: Pick<OutputFile, 'dir' | 'extension'>, job: string, commit: number): string {
  return `${file.dir}/${job}-${padCommit(commit)}.${file.extension}`;
}
