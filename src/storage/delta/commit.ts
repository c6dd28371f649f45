/**
 * One Delta commit, made atomic the way Delta does on object stores with conditional writes: the next
 * version's file `_delta_log/<v>.json` is created with putIfAbsent. If another writer took v first, the
 * writer reads the commits it missed and tries again at the next version, rebuilding its actions on the
 * newer snapshot (which may refuse with `conflict`), or skips when a txn shows the work is already in the
 * table. Version 0 carries protocol and metaData. After a version divisible by `checkpointInterval`
 * the writer checkpoints; a failed checkpoint does not undo the commit and is reported in the result.
 */
import { randomUUID } from 'node:crypto';
import { PROTOCOL, encodeCommit, type Action, type MetaDataAction } from './actions.ts';
import { DeltaError } from './delta-error.ts';
import { readSnapshot, updateSnapshot } from './read-snapshot.ts';
import { retentionMs } from './retention.ts';
import { checkSameSchema } from './schema.ts';
import { checkSupported, replay, txnVersion, type DeltaSnapshot } from './snapshot.ts';
import { commitKey, tableName, type DeltaTable } from './table-keys.ts';
import { writeCheckpoint, type LastCheckpoint } from './write-checkpoint.ts';
import { completeWriteOptions, type DeltaWriteOptions } from './write-options.ts';

/** An idempotent writer's identity and the position of this commit in its own sequence. */
export interface Txn {
  appId: string;
  version: number;
}

export interface CommitRequest {
  /** commitInfo.operation, e.g. `WRITE`, `OPTIMIZE`. */
  operation: string;
  /** commitInfo.operationParameters (strings only, as Spark reads them). */
  operationParameters: Record<string, string>;
  /** Only adds, nothing read or removed: commitInfo.isBlindAppend. */
  isBlindAppend: boolean;
  /** Written with the protocol at version 0; checked against the table's own otherwise. */
  metaData?: MetaDataAction;
  /** Skip the commit when the table already records `appId` at `version` or later. */
  txn?: Txn;
  /** The commit's data actions, built on the snapshot they go on; called again after each lost race. */
  actions(snapshot: DeltaSnapshot): Action[];
  /** A snapshot the caller already holds (a previous result's); default: the log is read. */
  from?: DeltaSnapshot;
}

export type CommitResult =
  | {
      outcome: 'committed';
      version: number;
      /** 1 when the first version tried was free. */
      attempts: number;
      snapshot: DeltaSnapshot;
      /** Set when this commit wrote a checkpoint. */
      checkpoint?: LastCheckpoint;
      /** Set when writing the due checkpoint failed (the commit itself stands). */
      checkpointError?: unknown;
    }
  | { outcome: 'skipped'; reason: 'txn_already_committed'; version: number; snapshot: DeltaSnapshot };

/** Everything a commit at `snapshot.version + 1` writes, commitInfo first. */
function commitActions(
  name: string,
  snapshot: DeltaSnapshot,
  request: CommitRequest,
  nowMs: number,
  engineInfo: string,
): Action[] {
  const actions: Action[] = [
    {
      commitInfo: {
        timestamp: nowMs,
        operation: request.operation,
        operationParameters: request.operationParameters,
        isBlindAppend: request.isBlindAppend,
        engineInfo,
        txnId: randomUUID(),
      },
    },
  ];
  if (snapshot.version < 0) {
    if (request.metaData === undefined)
      throw new DeltaError(
        'invalid_request',
        `delta: ${name} ${request.operation}: the table does not exist and the commit has no metaData`,
      );
    actions.push({ protocol: { ...PROTOCOL } }, { metaData: request.metaData });
  }
  if (request.txn !== undefined) actions.push({ txn: { ...request.txn, lastUpdated: nowMs } });
  actions.push(...request.actions(snapshot));
  return actions;
}

/**
 * Creates the commit file; true when it is ours. `exists` can also mean our own put succeeded and its
 * answer was lost (a store that retries a conditional put then sees its own object): the commit's
 * unique txnId makes a byte-equal file ours.
 */
async function putCommit(table: DeltaTable, version: number, body: Buffer): Promise<boolean> {
  const key = commitKey(table, version);
  if ((await table.store.putIfAbsent(key, body)) === 'created') return true;
  return (await table.store.get(key))?.equals(body) ?? false;
}

export async function commit(
  table: DeltaTable,
  request: CommitRequest,
  options: DeltaWriteOptions = {},
): Promise<CommitResult> {
  const settings = completeWriteOptions(options);
  const name = tableName(table);
  // A snapshot the caller holds is tried as it is: the put of the next version fails if anyone wrote
  // since, and only then is the log read again (no listing of a long log per commit).
  let snapshot = request.from ?? (await readSnapshot(table));
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
    checkSupported(snapshot, name, 'write');
    const { txn } = request;
    if (txn !== undefined && (txnVersion(snapshot, txn.appId) ?? -Infinity) >= txn.version)
      return { outcome: 'skipped', reason: 'txn_already_committed', version: snapshot.version, snapshot };
    if (snapshot.metaData !== undefined && request.metaData !== undefined)
      checkSameSchema(name, snapshot.metaData, request.metaData);
    const nowMs = settings.nowMs();
    const actions = commitActions(name, snapshot, request, nowMs, settings.engineInfo);
    const version = snapshot.version + 1;
    if (await putCommit(table, version, encodeCommit(actions))) {
      const committed = replay(snapshot, [{ version, actions }], name);
      const due =
        settings.checkpointInterval > 0 && version > 0 && version % settings.checkpointInterval === 0;
      if (!due) return { outcome: 'committed', version, attempts: attempt, snapshot: committed };
      try {
        const tombstoneRetentionMs = retentionMs(
          name,
          committed.metaData,
          'deletedFile',
          settings.tombstoneRetentionMs,
        );
        const checkpoint = await writeCheckpoint(table, committed, nowMs - tombstoneRetentionMs);
        return { outcome: 'committed', version, attempts: attempt, snapshot: committed, checkpoint };
      } catch (checkpointError) {
        return { outcome: 'committed', version, attempts: attempt, snapshot: committed, checkpointError };
      }
    }
    snapshot = await updateSnapshot(table, snapshot);
  }
  throw new DeltaError(
    'too_many_conflicts',
    `delta: ${name} ${request.operation}: other writers took ${settings.maxAttempts} versions in a row (last ${snapshot.version})`,
    { retryable: true },
  );
}
