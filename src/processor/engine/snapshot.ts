/**
 * Engine snapshots as plain data: one self-contained piece per partition (so a partition's state can
 * move alone to another instance on rebalance), versioned; codec/snapshot-codec.ts writes them in
 * binary. An incremental piece holds only the ids accepted since the partition's previous snapshot and,
 * for each view, what changed since then (view-delta.ts; pieces written before deltas hold whole views);
 * the clock is always whole. `foldChain` folds a chain of pieces back into one full piece.
 */
import type { PartitionClockState } from './partition-clock.ts';
import { applyViewDelta, isViewDelta, type PlainViewDelta } from './view-delta.ts';
import type { PlainViewState } from './view-state.ts';

/**
 * 1: JSON with tagged Sets/Maps; 2: binary, optionally incremental; 3: the same bytes, but aggregate
 * states have one slot per declared column (a v2 state would restore into the wrong slots).
 */
export const SNAPSHOT_VERSION = 3;

export interface PartitionSnapshot {
  version: typeof SNAPSHOT_VERSION;
  job: string;
  topic: string;
  partition: number;
  clock: PartitionClockState;
  /** view name → its state on this partition; in an incremental piece, what changed (or the whole state). */
  views: Record<string, PlainViewState | PlainViewDelta>;
  /** `clock.seen` holds only the ids accepted since the previous snapshot of the partition, `views` deltas. */
  incremental?: boolean;
}

export interface JobSnapshot {
  version: typeof SNAPSHOT_VERSION;
  job: string;
  partitions: PartitionSnapshot[];
}

/**
 * One full piece from a chain: `base` (full) and the incremental pieces taken after it, oldest first.
 * The clock comes from the newest piece; the ids are all of them, a later time replacing an earlier;
 * each view is the base's with every later delta applied in order (a whole view replaces it).
 */
export function foldChain(base: PartitionSnapshot, later: readonly PartitionSnapshot[]): PartitionSnapshot {
  if (base.incremental === true) throw new Error('engine snapshot chain: the base piece is incremental');
  const seen = new Map<string, number>(base.clock.seen);
  const views: Record<string, PlainViewState> = {};
  for (const [name, plain] of Object.entries(base.views)) {
    if (isViewDelta(plain)) throw new Error(`engine snapshot chain: the base piece holds a delta of ${name}`);
    views[name] = plain;
  }
  for (const piece of later) {
    if (piece.job !== base.job || piece.topic !== base.topic || piece.partition !== base.partition) {
      throw new Error(
        `engine snapshot chain: ${piece.job} ${piece.topic}/${piece.partition} follows ${base.job} ${base.topic}/${base.partition}`,
      );
    }
    for (const [eventId, timeMs] of piece.clock.seen) seen.set(eventId, timeMs);
    for (const [name, plain] of Object.entries(piece.views)) {
      if (!isViewDelta(plain)) views[name] = plain;
      else if (views[name] === undefined)
        throw new Error(`engine snapshot chain: ${name} has a delta but no earlier state`);
      else views[name] = applyViewDelta(views[name], plain);
    }
  }
  const newest = later.at(-1) ?? base;
  return { ...newest, clock: { ...newest.clock, seen }, views, incremental: false };
}
