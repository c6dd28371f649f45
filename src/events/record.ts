/**
 * A record's key or value as received: the text when the bytes are valid UTF-8; otherwise the bytes
 * themselves, kept so that nothing is lost or merged (the record is `invalid`, and its dead letter holds
 * them); null when there is none (a null key; a null value, i.e. a tombstone).
 */
export type RecordBytes = string | Uint8Array | null;

/** A Kafka record as the record files of docs/contract/record-files-and-dumps.md carry it, and as the processor sees one after the consumer. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Record timestamp (LogAppendTime: the broker's clock), epoch ms. */
  timestamp: number;
  key: RecordBytes;
  /** The value exactly as on the wire: UTF-8 decoded strictly, else its bytes. */
  value: RecordBytes;
}

/** Why a record was not applied to the views (docs/contract/semantics.md, "Acceptance"). */
export const REJECT_REASONS = ['invalid', 'future', 'late', 'duplicate'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
