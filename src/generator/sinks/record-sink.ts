/** Where a run's records go: a record file or Kafka, behind one small interface. */
import type { GeneratedRecord } from '../generated-record.ts';

export interface RecordSink {
  /** Accepts a batch in append order; resolves when the sink can take more (not necessarily when durable). */
  write(records: readonly GeneratedRecord[]): Promise<void>;
  /** Flushes everything and releases resources; resolves when every record is durable. */
  close(): Promise<void>;
}
