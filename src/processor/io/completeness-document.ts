/**
 * `realtime_views/<view>/_completeness.json`: how far a view is complete, for any reader that knows nothing
 * about the processor. Every logical row whose completion time (window end; + the join bound for join
 * views; session end for sessions) is at or before `complete_through` is in the views tree, exactly once,
 * and will never change; rows after it are not there yet. Times are ISO-8601 UTC, `null` for "not yet".
 */
import type { CompletionRecord } from './completion-log.ts';

export interface CompletenessDocument {
  view: string;
  job: string;
  complete_through: string | null;
  completion: number;
  /** The newest commit read: one number, or one per commit group (io/commit-groups.ts). */
  covered_commit: number | number[];
  watermarks: { topic: string; partition: number; watermark: string | null }[];
  updated_at: string;
  processor_version: string;
}

function iso(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function completenessDocument(input: {
  view: string;
  record: CompletionRecord;
  watermarks: readonly { topic: string; partition: number; watermarkMs: number }[];
  processorVersion: string;
  updatedAtMs: number;
}): Buffer {
  const { view, record, watermarks, processorVersion, updatedAtMs } = input;
  const document: CompletenessDocument = {
    view,
    job: record.job,
    complete_through: iso(record.completedThroughMs),
    completion: record.completion,
    covered_commit: record.coveredCommit,
    watermarks: watermarks.map(({ topic, partition, watermarkMs }) => ({
      topic,
      partition,
      watermark: iso(watermarkMs),
    })),
    updated_at: new Date(updatedAtMs).toISOString(),
    processor_version: processorVersion,
  };
  return Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8');
}
