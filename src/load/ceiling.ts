/**
 * Scenario 2, ceiling: each job's backlog read by the null processor (fetch, decode, JSON.parse +
 * validate, nothing else) — the practical limit on this machine — and each job's catch-up rate as a
 * fraction of it. Reuses catch-up's backlog when that scenario ran; otherwise fills its own.
 * Correctness: every backlog record is read, and validation rejects exactly the injected invalid ones.
 */
import { JOB_TOPICS, type JobName, type Topic } from '../events/topics.ts';
import { fillBacklog, type Backlog } from './backlog.ts';
import type { Check, LoadContext, ScenarioResult } from './load-context.ts';
import { createLoadTopics } from './load-fixture.ts';
import { readWithNullProcessor, type NullRun } from './null-processor.ts';
import { printTable, writeResults } from './report.ts';
import { round } from './resource-meter.ts';

export async function ceilingScenario(context: LoadContext): Promise<ScenarioResult> {
  const { params, endpoints } = context;
  let backlog = context.backlog;
  if (backlog === undefined) {
    const topics = await createLoadTopics(endpoints);
    const byJob = new Map<JobName, Backlog>();
    for (const job of params.jobs) {
      byJob.set(job, await fillBacklog(endpoints, topics, job, params.records, params.backlogUsers));
    }
    backlog = { topics, byJob, recordsPerSByJob: new Map() };
  }
  const runs = new Map<JobName, NullRun>();
  for (const job of params.jobs) {
    const topics = JOB_TOPICS[job] as readonly Topic[];
    runs.set(
      job,
      await readWithNullProcessor(endpoints.kafka, backlog.topics.topicPrefix, topics, `null ${job}`),
    );
  }
  const rows = params.jobs.map((job) => {
    const run = runs.get(job)!;
    const jobRate = backlog.recordsPerSByJob.get(job);
    const expected = backlog.byJob.get(job)!;
    return {
      job,
      ...run,
      jobRecordsPerS: jobRate ?? null,
      fractionOfCeiling: jobRate === undefined ? null : round(jobRate / run.recordsPerS, 2),
      correct: run.records === expected.records && run.invalid === expected.invalid,
      expectedInvalid: expected.invalid,
    };
  });
  printTable(
    'Scenario 2 — ceiling (null processor: fetch + decode + JSON.parse + validate)',
    ['job', 'records', 'seconds', 'ceiling rec/s', 'job rec/s', 'job / ceiling', 'invalid', 'correct'],
    rows.map((row) => [
      row.job,
      row.records,
      row.seconds,
      row.recordsPerS,
      row.jobRecordsPerS,
      row.fractionOfCeiling,
      row.invalid,
      row.correct,
    ]),
  );
  const resultsFile = await writeResults(params, 'ceiling', { rows });
  const checks: Check[] = rows.flatMap((row): Check[] => [
    {
      scenario: 'ceiling',
      what: `${row.job}: all ${row.records} records read, ${row.expectedInvalid} invalid rejected`,
      value: row.correct ? 'yes' : `read ${row.records}, invalid ${row.invalid}`,
      kind: 'correctness',
      pass: row.correct,
    },
    {
      scenario: 'ceiling',
      what: `${row.job}: ceiling records/s${row.fractionOfCeiling === null ? '' : ' (job at ' + String(Math.round(row.fractionOfCeiling * 100)) + ' %)'}`,
      value: row.recordsPerS.toLocaleString('en-US'),
      kind: 'info',
      pass: true,
    },
  ]);
  return { checks, resultsFile };
}
