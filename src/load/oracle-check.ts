/**
 * Correctness of a load run: the published views (merged logical rows) and dead letters against the
 * batch oracle over the same Kafka records, compared as the integration tests compare them
 * (events/view-result.ts). A fast but wrong run therefore fails.
 */
import type { SourceRecord } from '../events/record.ts';
import type { JobName } from '../events/topics.ts';
import type { ViewRow } from '../events/view-dump.ts';
import { readKafkaRecords } from '../oracle/kafka-records.ts';
import { DEFAULT_ORACLE_OPTIONS } from '../oracle/oracle-options.ts';
import { runOracle, type OracleResult } from '../oracle/run-oracle.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { differences, type ViewResult } from '../events/view-result.ts';
import { publishedResult } from '../processor/query/published-result.ts';
import { physicalTopics, type JobsRun, type LoadTopics } from './load-fixture.ts';

export interface OracleCheck {
  ok: boolean;
  /** Logical rows the oracle expects, over all views. */
  expectedRows: number;
  publishedRows: number;
  rejected: number;
  oracleS: number;
  /** The first differences, readable; empty when equal. */
  differences: string[];
}

/** The oracle over the jobs' topics as they are now in Kafka (streamed: nothing is held but its state). */
export async function oracleOf(
  endpoints: StackEndpoints,
  topics: LoadTopics,
  jobs: readonly JobName[],
): Promise<OracleResult> {
  const prefixLength = topics.topicPrefix.length;
  async function* contractRecords(): AsyncGenerator<SourceRecord> {
    for await (const record of readKafkaRecords(endpoints.kafka, physicalTopics(topics, jobs))) {
      yield { ...record, topic: record.topic.slice(prefixLength) };
    }
  }
  return runOracle(contractRecords(), DEFAULT_ORACLE_OPTIONS);
}

/** The union of results over disjoint jobs (each view belongs to one job). */
export function unionOf(results: readonly ViewResult[]): ViewResult {
  const rowsByView = new Map<string, ViewRow[]>();
  for (const result of results) {
    for (const [view, rows] of result.rowsByView)
      rowsByView.set(view, [...(rowsByView.get(view) ?? []), ...rows]);
  }
  return { rowsByView, rejected: results.flatMap((result) => result.rejected) };
}

export function rowCount(result: ViewResult): number {
  let count = 0;
  for (const rows of result.rowsByView.values()) count += rows.length;
  return count;
}

/** Everything a run published equals the oracle's result: every row of every view, every dead letter. */
export async function checkAgainstOracle(
  run: JobsRun,
  expected: ViewResult,
  oracleS: number,
): Promise<OracleCheck> {
  const actual = await publishedResult(run);
  const found = differences(actual, expected, 5);
  return {
    ok: found.length === 0,
    expectedRows: rowCount(expected),
    publishedRows: rowCount(actual),
    rejected: expected.rejected.length,
    oracleS,
    differences: found,
  };
}

/**
 * How long after a row's window (or session) end it can still change: the join views wait for their
 * match bound (docs/contract/views.md: 30 min for grading, 10 min for delivery); the others none.
 */
const JOIN_BOUND_MS: Record<string, number> = {
  assessment_realtime_grading_queue: 1_800_000,
  notification_realtime_delivery_status: 600_000,
};

/**
 * Only the rows every partition had finalised by `cutoffMs` (end + join bound ≤ cutoff): what a live
 * run can be compared on once its watermarks passed the cutoff. The rejected list is kept whole.
 */
export function finalBefore(result: ViewResult, cutoffMs: number): ViewResult {
  const rowsByView = new Map<string, ViewRow[]>();
  for (const [view, rows] of result.rowsByView) {
    const bound = JOIN_BOUND_MS[view] ?? 0;
    const end = (row: ViewRow) => Number(row.window_end ?? row.session_end);
    rowsByView.set(
      view,
      rows.filter((row) => end(row) + bound <= cutoffMs),
    );
  }
  return { rowsByView, rejected: result.rejected };
}

/** Like checkAgainstOracle, on the rows final by `cutoffMs` only. */
export async function checkFinalRows(
  run: JobsRun,
  oracle: ViewResult,
  cutoffMs: number,
  oracleS: number,
): Promise<OracleCheck> {
  const expected = finalBefore(oracle, cutoffMs);
  const actual = finalBefore(await publishedResult(run), cutoffMs);
  const found = differences(actual, expected, 5);
  return {
    ok: found.length === 0 && rowCount(expected) > 0,
    expectedRows: rowCount(expected),
    publishedRows: rowCount(actual),
    rejected: expected.rejected.length,
    oracleS,
    differences: found,
  };
}
