/**
 * Engine snapshots: one self-contained piece per partition (so a partition's state can move alone to
 * another instance on rebalance), versioned, encoded as JSON with Sets, Maps and ±∞ tagged.
 */
import type { PartitionClockState } from './partition-clock.ts';
import type { PlainViewState } from './view-state.ts';

export const SNAPSHOT_VERSION = 1;

export interface PartitionSnapshot {
  version: typeof SNAPSHOT_VERSION;
  job: string;
  topic: string;
  partition: number;
  clock: PartitionClockState;
  /** view name → its state on this partition. */
  views: Record<string, PlainViewState>;
}

export interface JobSnapshot {
  version: typeof SNAPSHOT_VERSION;
  job: string;
  partitions: PartitionSnapshot[];
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Set) return { $set: [...value] };
  if (value instanceof Map) return { $map: [...value] };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const tagged = value as { $set?: unknown[]; $map?: [unknown, unknown][]; $num?: string };
  if (tagged.$set !== undefined) return new Set(tagged.$set);
  if (tagged.$map !== undefined) return new Map(tagged.$map);
  if (tagged.$num !== undefined) return Number(tagged.$num);
  return value;
}

export function encodeSnapshot(snapshot: JobSnapshot | PartitionSnapshot): string {
  return JSON.stringify(snapshot, replacer);
}

export function decodeSnapshot<T extends JobSnapshot | PartitionSnapshot>(text: string): T {
  const snapshot = JSON.parse(text, reviver) as T;
  if (snapshot.version !== SNAPSHOT_VERSION) {
    throw new Error(
      `snapshot version ${String(snapshot.version)} is not supported (expected ${SNAPSHOT_VERSION})`,
    );
  }
  return snapshot;
}
