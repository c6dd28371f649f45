/** A Kafka record as the record files of docs/contract/record-files-and-dumps.md carry it, and as the processor sees one after the consumer. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Record timestamp (LogAppendTime: the broker's clock), epoch ms. */
  timestamp: number;
  key: string | null;
  /** The value exactly as on the wire, decoded as UTF-8. */
  value: string;
}

/** Why a record was not applied to the views (docs/contract/semantics.md, "Acceptance"). */
export const REJECT_REASONS = ['invalid', 'future', 'late', 'duplicate'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
