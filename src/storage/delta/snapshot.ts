/**
 * A table's state at one version as plain data, and the pure replay that advances it (PROTOCOL.md "Action
 * Reconciliation"): the newest protocol and metaData win, a path is live when its newest action is an
 * `add`, a `remove` leaves a tombstone, and each appId keeps its newest txn. Like Delta's own replay, the
 * state holds files with dataChange false: it says what is in the table, not what a commit changed.
 */
import {
  PROTOCOL,
  type Action,
  type AddAction,
  type MetaDataAction,
  type ProtocolAction,
  type RemoveAction,
  type TxnAction,
} from './actions.ts';
import { DeltaError } from './delta-error.ts';
import { PARTITION_COLUMN } from './schema.ts';

export interface DeltaSnapshot {
  /** -1 while the table has no version 0. */
  version: number;
  protocol?: ProtocolAction;
  metaData?: MetaDataAction;
  /** Live data files by path. */
  files: ReadonlyMap<string, AddAction>;
  /** Removed files by path (kept in checkpoints until VACUUM's retention passes). */
  tombstones: ReadonlyMap<string, RemoveAction>;
  txns: ReadonlyMap<string, TxnAction>;
}

export const EMPTY_SNAPSHOT: DeltaSnapshot = {
  version: -1,
  files: new Map(),
  tombstones: new Map(),
  txns: new Map(),
};

export interface VersionActions {
  version: number;
  actions: readonly Action[];
}

/** The snapshot after applying `commits` (consecutive versions following `snapshot.version`) in order. */
export function replay(
  snapshot: DeltaSnapshot,
  commits: readonly VersionActions[],
  table: string,
): DeltaSnapshot {
  const files = new Map(snapshot.files);
  const tombstones = new Map(snapshot.tombstones);
  const txns = new Map(snapshot.txns);
  let { version, protocol, metaData } = snapshot;
  for (const commit of commits) {
    if (commit.version !== version + 1)
      throw new DeltaError('corrupt_log', `delta: ${table} has version ${commit.version} after ${version}`);
    version = commit.version;
    for (const action of commit.actions) {
      if ('protocol' in action) protocol = action.protocol;
      else if ('metaData' in action) metaData = action.metaData;
      else if ('txn' in action) txns.set(action.txn.appId, action.txn);
      else if ('add' in action) {
        files.set(action.add.path, { ...action.add, dataChange: false });
        tombstones.delete(action.add.path);
      } else if ('remove' in action) {
        files.delete(action.remove.path);
        tombstones.set(action.remove.path, { ...action.remove, dataChange: false });
      }
    }
  }
  return { version, files, tombstones, txns, ...(protocol && { protocol }), ...(metaData && { metaData }) };
}

/** Throws `unsupported_protocol` when the table needs more than reader 1 (to read) or writer 2 (to write). */
export function checkSupported(snapshot: DeltaSnapshot, table: string, access: 'read' | 'write'): void {
  const protocol = snapshot.protocol;
  if (protocol === undefined) return;
  const tooNew =
    protocol.minReaderVersion > PROTOCOL.minReaderVersion ||
    (access === 'write' && protocol.minWriterVersion > PROTOCOL.minWriterVersion);
  if (tooNew)
    throw new DeltaError(
      'unsupported_protocol',
      `delta: ${table} needs reader ${protocol.minReaderVersion} / writer ${protocol.minWriterVersion}; ` +
        `this writer implements reader ${PROTOCOL.minReaderVersion} / writer ${PROTOCOL.minWriterVersion} (${access})`,
    );
}

/** The live files, optionally of one `date` partition, sorted by path. */
export function liveFiles(snapshot: DeltaSnapshot, date?: string): AddAction[] {
  return [...snapshot.files.values()]
    .filter((add) => date === undefined || add.partitionValues[PARTITION_COLUMN] === date)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The newest version of `appId` this table has recorded, or undefined. */
export function txnVersion(snapshot: DeltaSnapshot, appId: string): number | undefined {
  return snapshot.txns.get(appId)?.version;
}
