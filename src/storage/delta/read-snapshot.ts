/**
 * The reader: a table's snapshot from its log. It starts at the newest checkpoint at or below the wanted
 * version (the listing is authoritative; `_last_checkpoint` is only a hint for readers that cannot list
 * everything) and replays the commits after it; without a checkpoint it replays from version 0. Log
 * cleanup (clean-up-log.ts) deletes the versions before an old checkpoint: reading one of those is
 * `invalid_request`, and a file deleted between listing and reading makes the reader list once more.
 */
import { parseCommit } from './actions.ts';
import { decodeCheckpoint } from './checkpoint-parquet.ts';
import { DeltaError, isDeltaError } from './delta-error.ts';
import {
  EMPTY_SNAPSHOT,
  checkSupported,
  replay,
  type DeltaSnapshot,
  type VersionActions,
} from './snapshot.ts';
import { logFileOfKey, logPrefix, tableName, type DeltaTable, type LogFile } from './table-keys.ts';

/** Commit files read at once. */
const READ_CONCURRENCY = 16;

interface LogListing {
  commits: Map<number, string>;
  checkpoints: Map<number, string>;
}

async function listLog(table: DeltaTable): Promise<LogListing> {
  const listing: LogListing = { commits: new Map(), checkpoints: new Map() };
  for (const key of await table.store.list(logPrefix(table))) {
    const file: LogFile | undefined = logFileOfKey(table, key);
    if (file?.kind === 'commit') listing.commits.set(file.version, key);
    else if (file?.kind === 'checkpoint') listing.checkpoints.set(file.version, key);
  }
  return listing;
}

async function getLogFile(table: DeltaTable, key: string): Promise<Buffer> {
  const body = await table.store.get(key);
  // Listed and then gone: a log cleanup ran meanwhile; a new listing starts from a file that is there.
  if (body === undefined)
    throw new DeltaError('corrupt_log', `delta: ${table.store.url}${key} vanished (log cleanup?)`, {
      retryable: true,
    });
  return body;
}

const vanished = (error: unknown): boolean => isDeltaError(error, 'corrupt_log') && error.retryable;

/** The commits `from..to` (inclusive), read in parallel, in version order. */
async function readCommits(
  table: DeltaTable,
  listing: LogListing,
  from: number,
  to: number,
): Promise<VersionActions[]> {
  const versions: number[] = [];
  for (let version = from; version <= to; version += 1) versions.push(version);
  const commits: VersionActions[] = [];
  for (let start = 0; start < versions.length; start += READ_CONCURRENCY) {
    const batch = versions.slice(start, start + READ_CONCURRENCY).map(async (version) => {
      const key = listing.commits.get(version);
      if (key === undefined)
        throw new DeltaError(
          'corrupt_log',
          `delta: ${tableName(table)} has no commit ${version} (log has a gap)`,
        );
      return { version, actions: parseCommit(await getLogFile(table, key), key) };
    });
    commits.push(...(await Promise.all(batch)));
  }
  return commits;
}

function newest(versions: Iterable<number>, atMost: number): number | undefined {
  let best: number | undefined;
  for (const version of versions)
    if (version <= atMost && (best === undefined || version > best)) best = version;
  return best;
}

function hasCommits(listing: LogListing, from: number, to: number): boolean {
  for (let version = from; version <= to; version += 1) if (!listing.commits.has(version)) return false;
  return true;
}

/** A checkpoint newer than `version` exists: commits missing up to `version` were cleaned up, not lost. */
function cleanedPast(listing: LogListing, version: number): boolean {
  return (newest(listing.checkpoints.keys(), Infinity) ?? -1) > version;
}

export interface ReadSnapshotOptions {
  /** The version to read (time travel); default the latest. */
  version?: number;
}

/** The table at its latest version (or `options.version`); version -1 when it has no log yet. */
export async function readSnapshot(
  table: DeltaTable,
  options: ReadSnapshotOptions = {},
): Promise<DeltaSnapshot> {
  try {
    return await readListed(table, await listLog(table), options.version);
  } catch (error) {
    if (!vanished(error)) throw error;
    return readListed(table, await listLog(table), options.version);
  }
}

async function readListed(
  table: DeltaTable,
  listing: LogListing,
  version: number | undefined,
): Promise<DeltaSnapshot> {
  const latest = newest([...listing.commits.keys(), ...listing.checkpoints.keys()], Infinity) ?? -1;
  const target = version ?? latest;
  if (target > latest)
    throw new DeltaError(
      'invalid_request',
      `delta: ${tableName(table)} has no version ${target} (latest ${latest})`,
    );
  const checkpoint = newest(listing.checkpoints.keys(), target);
  if (!hasCommits(listing, (checkpoint ?? -1) + 1, target) && cleanedPast(listing, target))
    throw new DeltaError(
      'invalid_request',
      `delta: ${tableName(table)} version ${target} is no longer in the log (log cleanup); ` +
        `the oldest checkpoint is ${Math.min(...listing.checkpoints.keys())}`,
    );
  let snapshot = EMPTY_SNAPSHOT;
  if (checkpoint !== undefined) {
    const key = listing.checkpoints.get(checkpoint)!;
    const actions = await decodeCheckpoint(await getLogFile(table, key), key);
    snapshot = replay(
      { ...EMPTY_SNAPSHOT, version: checkpoint - 1 },
      [{ version: checkpoint, actions }],
      tableName(table),
    );
  }
  snapshot = replay(
    snapshot,
    await readCommits(table, listing, snapshot.version + 1, target),
    tableName(table),
  );
  checkSupported(snapshot, tableName(table), 'read');
  return snapshot;
}

/**
 * `snapshot` brought up to the latest version by reading only the commits after it. When the log no
 * longer has them (another writer's log cleanup went past the snapshot), the table is read anew.
 */
export async function updateSnapshot(table: DeltaTable, snapshot: DeltaSnapshot): Promise<DeltaSnapshot> {
  const listing = await listLog(table);
  const latest = newest(listing.commits.keys(), Infinity) ?? -1;
  if (latest <= snapshot.version) return snapshot;
  if (!hasCommits(listing, snapshot.version + 1, latest) && cleanedPast(listing, snapshot.version))
    return readSnapshot(table);
  try {
    const updated = replay(
      snapshot,
      await readCommits(table, listing, snapshot.version + 1, latest),
      tableName(table),
    );
    checkSupported(updated, tableName(table), 'read');
    return updated;
  } catch (error) {
    if (!vanished(error)) throw error;
    return readSnapshot(table);
  }
}
