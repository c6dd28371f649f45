/** What every scenario gets (the stack, the parameters) and what it gives back (checks for the summary). */
import type { JobName } from '../events/topics.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import type { Backlog } from './backlog.ts';
import type { LoadParams } from './load-params.ts';
import type { LoadTopics } from './load-fixture.ts';

export interface LoadContext {
  params: LoadParams;
  endpoints: StackEndpoints;
  /** The local Kafka and S3 JVMs (empty for external services), for their CPU time. */
  stackPids: readonly number[];
  /** Left by catch-up for the ceiling: the filled topics, each job's backlog and its catch-up rate. */
  backlog?: { topics: LoadTopics; byJob: Map<JobName, Backlog>; recordsPerSByJob: Map<JobName, number> };
}

/** One line of the final summary. `target` checks are asserted only in full runs; `correctness` always. */
export interface Check {
  scenario: string;
  what: string;
  value: string;
  kind: 'correctness' | 'target' | 'info';
  pass: boolean;
}

export interface ScenarioResult {
  checks: Check[];
  resultsFile: string;
}
