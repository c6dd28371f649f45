/** A SourceRecord plus what the generator knows about it (record files carry only the SourceRecord fields). */
import type { SourceRecord } from '../events/record.ts';
import type { InvalidKind } from './invalid-values.ts';
import type { FaultKind } from './options.ts';

export interface GeneratedRecord extends SourceRecord {
  key: string;
  /** Text, except for the `bad_utf8` (bytes) and `tombstone` (null) invalid faults. */
  value: string | Buffer | null;
  /** The event type the record was made from (an invalid record's value may no longer say it). */
  eventType: string;
  /** The injected fault, or null for a normal record. */
  fault: FaultKind | null;
  invalidKind: InvalidKind | null;
}
