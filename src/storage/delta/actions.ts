/**
 * The Delta Lake log actions this writer writes and reads (PROTOCOL.md "Actions"). A commit file holds one
 * action per line, each wrapped in its kind: `{"add":{...}}`. Times are epoch ms. Only the fields of the
 * lowest protocol (reader 1, writer 2) are written; readers ignore the optional ones we leave out.
 */
import { DeltaError } from './delta-error.ts';

/** Reader 1 / writer 2: plain Parquet files, no table features (what Delta itself gives a new table). */
export const PROTOCOL = { minReaderVersion: 1, minWriterVersion: 2 } as const;

export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
}

export interface MetaDataAction {
  id: string;
  name?: string;
  format: { provider: string; options: Record<string, string> };
  /** The table schema as Spark's struct type JSON (schema.ts). */
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number;
}

export interface AddAction {
  /** URI path relative to the table root (table-keys.ts `toDeltaPath`). */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  /** False when the rows already were in the table (compaction). */
  dataChange: boolean;
  /** JSON text: numRecords, minValues, maxValues, nullCount (file-stats.ts). */
  stats?: string;
}

export interface RemoveAction {
  path: string;
  deletionTimestamp: number;
  dataChange: boolean;
  /** When true, partitionValues and size are those of the removed add. */
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string | null>;
  size?: number;
}

/** An idempotent writer's progress: the highest `version` of `appId` committed to this table. */
export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number;
}

export interface CommitInfoAction {
  timestamp: number;
  operation: string;
  /** Spark reads these as map<string,string>: every value a string. */
  operationParameters: Record<string, string>;
  isBlindAppend?: boolean;
  engineInfo?: string;
  /** Unique per commit attempt: tells a writer whether a commit file it finds is its own. */
  txnId?: string;
}

export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetaDataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { txn: TxnAction }
  | { commitInfo: CommitInfoAction };

/** The removal of a live file at `deletionTimestampMs`, keeping its partition values and size. */
export function removeOf(add: AddAction, deletionTimestampMs: number, dataChange: boolean): RemoveAction {
  return {
    path: add.path,
    deletionTimestamp: deletionTimestampMs,
    dataChange,
    extendedFileMetadata: true,
    partitionValues: add.partitionValues,
    size: add.size,
  };
}

/** A commit file's bytes: one JSON action per line. */
export function encodeCommit(actions: readonly Action[]): Buffer {
  return Buffer.from(actions.map((action) => JSON.stringify(action)).join('\n') + '\n', 'utf8');
}

const KINDS = new Set(['protocol', 'metaData', 'add', 'remove', 'txn', 'commitInfo']);

/**
 * The actions of a commit file. Kinds this writer does not know (cdc, domainMetadata, …) are dropped:
 * a table that needs them has a protocol `checkSupported` (snapshot.ts) refuses anyway.
 */
export function parseCommit(body: Uint8Array, key: string): Action[] {
  const actions: Action[] = [];
  const lines = Buffer.from(body).toString('utf8').split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new DeltaError('corrupt_log', `delta: ${key} line ${index + 1} is not JSON`, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new DeltaError('corrupt_log', `delta: ${key} line ${index + 1} is not an action object`);
    const kind = Object.keys(parsed)[0];
    if (kind !== undefined && KINDS.has(kind)) actions.push(parsed as Action);
  });
  return actions;
}
