/** The writer's options, with their defaults completed by one function. */
import { RETENTIONS, checkRetentionOption } from './retention.ts';

export interface DeltaWriteOptions {
  /** Checkpoint after each version divisible by this (Delta's `checkpointInterval`); default 10, 0 = none. */
  checkpointInterval?: number;
  /** Versions tried before `too_many_conflicts` when other writers keep winning; default 20. */
  maxAttempts?: number;
  /**
   * Tombstones younger than this stay in checkpoints, for VACUUM; default 7 days (as Delta). The table
   * property `delta.deletedFileRetentionDuration` wins when set (retention.ts).
   */
  tombstoneRetentionMs?: number;
  /** Clock, epoch ms: commit timestamps, txn lastUpdated, remove deletionTimestamp; default Date.now. */
  nowMs?: () => number;
  /** `engineInfo` of commitInfo; default `lms-speed-layer`. */
  engineInfo?: string;
}

export type CompleteWriteOptions = Required<DeltaWriteOptions>;

export function completeWriteOptions(options: DeltaWriteOptions = {}): CompleteWriteOptions {
  const complete: CompleteWriteOptions = {
    checkpointInterval: options.checkpointInterval ?? 10,
    maxAttempts: options.maxAttempts ?? 20,
    tombstoneRetentionMs: options.tombstoneRetentionMs ?? RETENTIONS.deletedFile.defaultMs,
    nowMs: options.nowMs ?? Date.now,
    engineInfo: options.engineInfo ?? 'lms-speed-layer',
  };
  if (!Number.isInteger(complete.checkpointInterval) || complete.checkpointInterval < 0)
    throw new Error(
      `delta write options: checkpointInterval must be an integer >= 0, got ${complete.checkpointInterval}`,
    );
  checkRetentionOption('delta write options', 'tombstoneRetentionMs', complete.tombstoneRetentionMs);
  if (!Number.isInteger(complete.maxAttempts) || complete.maxAttempts < 1)
    throw new Error(`delta write options: maxAttempts must be an integer >= 1, got ${complete.maxAttempts}`);
  return complete;
}
