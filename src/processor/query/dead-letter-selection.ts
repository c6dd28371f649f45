/**
 * Which dead letters `dead-letters list|show|replay` act on: the filters of queryDeadLetters (topic,
 * reason, record time) plus a Kafka position (partition, offset). One predicate serves the store and a
 * `--fixed` file alike, so both select the same way.
 */
import type { DeadLetter } from '../io/dead-letter.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { queryDeadLetters, type DeadLetterRequest } from './dead-letter-query.ts';
import { inStartRange } from './start-range.ts';

export interface DeadLetterSelection extends DeadLetterRequest {
  partition?: number;
  offset?: number;
}

/** Whether any filter is set: replay refuses the whole store unless asked with `--all`. */
export function isNarrowed(selection: DeadLetterSelection): boolean {
  return Object.values(selection).some((value) => value !== undefined);
}

export function matchesSelection(letter: DeadLetter, selection: DeadLetterSelection): boolean {
  return (
    (selection.topic === undefined || letter.topic === selection.topic) &&
    (selection.reason === undefined || letter.reason === selection.reason) &&
    (selection.partition === undefined || letter.partition === selection.partition) &&
    (selection.offset === undefined || letter.offset === selection.offset) &&
    inStartRange(letter.timestamp, selection)
  );
}

/** The stored dead letters the selection names, in topic, partition, offset order. */
export async function selectDeadLetters(
  store: ObjectStore,
  layout: Pick<StorageLayout, 'deadLetterPrefix' | 'partialsPrefix'>,
  selection: DeadLetterSelection,
): Promise<DeadLetter[]> {
  const letters = await queryDeadLetters(store, layout, selection);
  return letters.filter((letter) => matchesSelection(letter, selection));
}

/** The selection as the flags that give it, for messages (`--topic lms.auth --offset 5`). */
export function describeSelection(selection: DeadLetterSelection): string {
  const flags: string[] = [];
  if (selection.topic !== undefined) flags.push(`--topic ${selection.topic}`);
  if (selection.partition !== undefined) flags.push(`--partition ${selection.partition}`);
  if (selection.offset !== undefined) flags.push(`--offset ${selection.offset}`);
  if (selection.reason !== undefined) flags.push(`--reason ${selection.reason}`);
  if (selection.fromMs !== undefined) flags.push(`--from ${new Date(selection.fromMs).toISOString()}`);
  if (selection.toMs !== undefined) flags.push(`--to ${new Date(selection.toMs).toISOString()}`);
  return flags.length === 0 ? 'the whole store' : flags.join(' ');
}
