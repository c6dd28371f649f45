/**
 * Where everything lives under the store root (docs/contract/semantics.md "Storage layout"; prefixes configurable,
 * defaults of the original design). Final file names are pure functions of (directory, job, commit), so
 * publishing a commit twice writes the same keys with the same bytes.
 */
export interface StorageLayout {
  /** The reader-facing tree: complete logical rows only, each exactly once. */
  viewsPrefix: string;
  /** Partial rows per commit (with `_` merge columns), the input of completion; plain readers skip it. */
  partialsPrefix: string;
  checkpointsPrefix: string;
  deadLetterPrefix: string;
  /** The master dataset: every validated record, gathered per topic and event date (docs/storage.md "Raw archive"). */
  rawPrefix: string;
}

export const DEFAULT_LAYOUT: StorageLayout = {
  viewsPrefix: 'realtime_views/',
  partialsPrefix: 'realtime_partials/',
  checkpointsPrefix: 'checkpoints/speed/',
  deadLetterPrefix: 'dead_letter/',
  rawPrefix: 'raw/',
};

/** Commit numbers are zero-padded so keys sort in commit order. */
const COMMIT_DIGITS = 12;

export function padCommit(commit: number): string {
  return String(commit).padStart(COMMIT_DIGITS, '0');
}

/**
 * A job's checkpoints folder; for the stream of one commit group (`<job>.g<g>`, io/commit-groups.ts), its
 * folder inside the job's: `<job>_stream/g<g>/`.
 */
export function jobPrefix(layout: StorageLayout, job: string): string {
  const group = /^(.+)\.g(\d+)$/.exec(job);
  if (group !== null) return `${layout.checkpointsPrefix}${group[1]}_stream/g${group[2]}/`;
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

export function completionsPrefix(layout: StorageLayout, job: string): string {
  return `${jobPrefix(layout, job)}completions/`;
}

export function completionKey(layout: StorageLayout, job: string, completion: number): string {
  return `${completionsPrefix(layout, job)}${padCommit(completion)}.json`;
}

/** The completion number of a key under completionsPrefix, or undefined for anything else. */
export function completionOfKey(layout: StorageLayout, job: string, key: string): number | undefined {
  const match = /^(\d+)\.json$/.exec(key.slice(completionsPrefix(layout, job).length));
  return match === null ? undefined : Number(match[1]);
}

export function completionStagingRoot(layout: StorageLayout, job: string): string {
  return `${jobPrefix(layout, job)}completion-staging/`;
}

export function stagingRoot(layout: StorageLayout, job: string): string {
  return `${jobPrefix(layout, job)}staging/`;
}

/** One directory per (attempt, writer) under a staging root, so a live writer's staging is never another's. */
export function stagingDir(root: string, commit: number, writerId: string): string {
  return `${root}${padCommit(commit)}-${writerId}/`;
}

/** The commit (or completion) number a staging key under `root` was staged for, or undefined. */
export function numberOfStagingKey(root: string, key: string): number | undefined {
  if (!key.startsWith(root)) return undefined;
  const match = /^(\d+)-[^/]+\//.exec(key.slice(root.length));
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

/** Per view, the object telling any reader how far the view is complete. */
export function completenessKey(layout: StorageLayout, view: string): string {
  return `${layout.viewsPrefix}${view}/_completeness.json`;
}

/** The commit (or completion) number in a published file's name `<job>-<N>.<ext>`, or undefined. */
export function numberOfFinalKey(key: string): number | undefined {
  const match = /-(\d+)\.[a-z]+$/.exec(key);
  return match === null ? undefined : Number(match[1]);
}

export function deadLetterDateDir(layout: StorageLayout, topic: string, date: string): string {
  return `${layout.deadLetterPrefix}${topic}/date=${date}`;
}

/**
 * Where a commit's dead letters wait until a completion gathers them into the dead-letter tree: inside
 * the partials tree, which plain readers skip (`_` keeps it apart from the view names).
 */
export function pendingDeadLetterPrefix(layout: Pick<StorageLayout, 'partialsPrefix'>): string {
  return `${layout.partialsPrefix}_dead_letter/`;
}

/** Where a commit's archived records wait, per topic, until a completion gathers them into the raw archive. */
export function pendingRawPrefix(layout: Pick<StorageLayout, 'partialsPrefix'>): string {
  return `${layout.partialsPrefix}_raw/`;
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
