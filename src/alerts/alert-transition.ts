/**
 * An alert transition: a (rule, key) starts firing or is resolved. Its id is a pure function of the rule,
 * the key and the start of the episode (`since`, a window start), so every evaluator of the same rows —
 * another serve process, or this one after a restart — names the same transition the same way, and
 * the alert log's create-only put keeps it once (alert-log.ts).
 */
import { createHash } from 'node:crypto';
import type { ViewRow } from '../events/view-dump.ts';
import type { Severity } from './alert-rules.ts';

export type AlertState = 'firing' | 'resolved';

/** Key column → value as text; `{}` for a view without key columns (or an absence rule). */
export type AlertKey = Readonly<Record<string, string>>;

export interface Transition {
  id: string;
  rule: string;
  severity: Severity;
  view: string;
  key: AlertKey;
  state: AlertState;
  /** Start of the first window of the episode (firing since then). */
  sinceMs: number;
  /** Start of the window where the state changed. */
  atMs: number;
  /** Firing: the rows that made it fire; resolved: the row that broke it (none for a window without one). */
  rows: readonly ViewRow[];
  /** Fired on provisional rows, before their windows completed (`on: provisional`). */
  provisional: boolean;
}

/** A short stable digest of a key: the same key values give the same text in every process. */
export function keyId(key: AlertKey): string {
  const sorted = Object.keys(key)
    .sort()
    .map((column) => [column, key[column]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

export function transitionId(rule: string, key: AlertKey, sinceMs: number, state: AlertState): string {
  return `${rule}.${keyId(key)}.${sinceMs}.${state}`;
}

export function makeTransition(fields: Omit<Transition, 'id'>): Transition {
  return { id: transitionId(fields.rule, fields.key, fields.sinceMs, fields.state), ...fields };
}
