/**
 * Every dead letter the jobs committed, gathered or not: the dead-letter tree plus the commits' pending
 * files (io/pending-records.ts). A record sits in both for a moment (between a completion's copy and
 * the delete of its pending files, longer if its writer died there), so records read twice are kept once,
 * by their Kafka position. Ingest's rejections never reached Kafka (no position) and are kept as they are.
 */
import { pendingDeadLetterPrefix, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readDeadLetters, type DeadLetter } from './dead-letter.ts';

/** `within` narrows both trees alike (e.g. `lms.auth/`); `wanted` filters keys as readDeadLetters does. */
export async function readCommittedDeadLetters(
  store: ObjectStore,
  layout: Pick<StorageLayout, 'deadLetterPrefix' | 'partialsPrefix'>,
  within = '',
  wanted?: (key: string) => boolean,
): Promise<DeadLetter[]> {
  const gathered = await readDeadLetters(store, `${layout.deadLetterPrefix}${within}`, wanted);
  const pending = await readDeadLetters(store, `${pendingDeadLetterPrefix(layout)}${within}`, wanted);
  const seen = new Set<string>();
  const letters: DeadLetter[] = [];
  for (const letter of [...gathered, ...pending]) {
    if (letter.partition !== null && letter.offset !== null) {
      const position = `${letter.topic}\u0000${letter.partition}\u0000${letter.offset}`;
      if (seen.has(position)) continue;
      seen.add(position);
    }
    letters.push(letter);
  }
  return letters;
}
