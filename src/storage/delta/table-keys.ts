/**
 * Where a Delta table's files live relative to the store root: `<root>/_delta_log/` holds commits
 * (`<20-digit version>.json`), checkpoints (`<version>.checkpoint.parquet`) and `_last_checkpoint`;
 * data files sit under `<root>/date=YYYY-MM-DD/`, and an `add` names them relative to the root as a URI
 * path (PROTOCOL.md "Path Specification").
 */
import type { ObjectStore } from '../object-store.ts';
import { DeltaError } from './delta-error.ts';

/** A Delta table: the store and the key prefix of its root (no trailing slash), e.g. `realtime_views/v`. */
export interface DeltaTable {
  store: ObjectStore;
  root: string;
}

const VERSION_DIGITS = 20;

/** The table as messages name it: store URL and root. */
export function tableName(table: DeltaTable): string {
  return `${table.store.url}${table.root}`;
}

export function logPrefix(table: DeltaTable): string {
  return `${table.root}/_delta_log/`;
}

export function commitKey(table: DeltaTable, version: number): string {
  return `${logPrefix(table)}${String(version).padStart(VERSION_DIGITS, '0')}.json`;
}

export function checkpointKey(table: DeltaTable, version: number): string {
  return `${logPrefix(table)}${String(version).padStart(VERSION_DIGITS, '0')}.checkpoint.parquet`;
}

export function lastCheckpointKey(table: DeltaTable): string {
  return `${logPrefix(table)}_last_checkpoint`;
}

export type LogFile = { kind: 'commit' | 'checkpoint'; version: number; key: string };

/** A key under the log prefix as a commit or a single-file checkpoint; anything else is undefined. */
export function logFileOfKey(table: DeltaTable, key: string): LogFile | undefined {
  const match = /^(\d{20})\.(json|checkpoint\.parquet)$/.exec(key.slice(logPrefix(table).length));
  if (match === null || !key.startsWith(logPrefix(table))) return undefined;
  return { kind: match[2] === 'json' ? 'commit' : 'checkpoint', version: Number(match[1]), key };
}

/**
 * The version of any file named `<20-digit version>.<…>` directly in `_delta_log/`: commits, checkpoints
 * (also multi-part), checksums, log compactions. Undefined for `_last_checkpoint` and subfolders.
 */
export function versionOfLogKey(table: DeltaTable, key: string): number | undefined {
  if (!key.startsWith(logPrefix(table))) return undefined;
  const match = /^(\d{20})\.[^/]+$/.exec(key.slice(logPrefix(table).length));
  return match === null ? undefined : Number(match[1]);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Characters a path segment keeps as they are; everything else is percent-encoded (UTF-8). */
const URI_SAFE = /[A-Za-z0-9\-._~=]/;

/** The `date` partition of a data file path `date=YYYY-MM-DD/<name>`; throws on any other shape. */
export function partitionDateOfPath(path: string): string {
  const match = /^date=([^/]+)\/[^/]+$/.exec(path);
  if (match === null || !DATE.test(match[1]!))
    throw new DeltaError(
      'invalid_request',
      `delta: data file path ${JSON.stringify(path)} is not date=YYYY-MM-DD/<name>`,
    );
  return match[1]!;
}

/** A key relative to the table root as the URI path an `add` holds (`date=2025-01-01/a%20b.parquet`). */
export function toDeltaPath(relativeKey: string): string {
  return relativeKey
    .split('/')
    .map((segment) =>
      [...segment].map((char) => (URI_SAFE.test(char) ? char : encodeURIComponent(char))).join(''),
    )
    .join('/');
}

/** The store key of a path an `add` or `remove` holds. */
export function dataKey(table: DeltaTable, deltaPath: string): string {
  return `${table.root}/${deltaPath.split('/').map(decodeURIComponent).join('/')}`;
}
