/**
 * Reading the dead-letter store (`dead_letter/<topic>/date=…/*.ndjson`, and what waits to be gathered
 * there) as an operator would: every
 * rejected record with its reason, message and raw value, filtered by topic, reason and record time
 * `[fromMs, toMs)`, in topic, partition, offset order. Date folders outside the range are not read.
 */
import type { RejectReason } from '../../events/record.ts';
import type { DeadLetter } from '../io/dead-letter.ts';
import { readCommittedDeadLetters } from '../io/dead-letter-reader.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { dateInRange, inStartRange, type StartRange } from './start-range.ts';

export interface DeadLetterRequest extends StartRange {
  topic?: string;
  reason?: RejectReason;
}

export async function queryDeadLetters(
  store: ObjectStore,
  layout: Pick<StorageLayout, 'deadLetterPrefix' | 'partialsPrefix'>,
  request: DeadLetterRequest,
): Promise<DeadLetter[]> {
  const within = request.topic === undefined ? '' : `${request.topic}/`;
  const letters = await readCommittedDeadLetters(store, layout, within, (key) => dateInRange(key, request));
  return letters
    .filter(
      (letter) =>
        (request.topic === undefined || letter.topic === request.topic) &&
        (request.reason === undefined || letter.reason === request.reason) &&
        inStartRange(letter.timestamp, request),
    )
    .sort((a, b) =>
      a.topic !== b.topic ? (a.topic < b.topic ? -1 : 1) : a.partition - b.partition || a.offset - b.offset,
    );
}
