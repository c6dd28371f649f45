import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOBS, JOB_TOPICS, type JobName } from '../../src/events/topics.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { differences } from '../../src/events/view-result.ts';
import { JobEngine } from '../../src/processor/engine/job-engine.ts';
import { logicalRow, mergeRows } from '../../src/processor/engine/merge-rows.ts';
import { encodeProvisional, provisionalMessage } from '../../src/processor/io/provisional-message.ts';
import { ProvisionalTable } from '../../src/processor/query/provisional-table.ts';
import { jobViews } from '../../src/processor/runner/job-views.ts';
import { viewDefinition } from '../../src/processor/views/index.ts';
import { batchSizeArbitrary, recordStream } from './arbitraries.ts';
import { LAW_OPTIONS, runs } from './laws.ts';

const ALL = { fromMs: -Infinity, toMs: Infinity };

/**
 * The reader's provisional table, fed by the engines' changes through the wire format, against the
 * final rows: once every record is processed (and before any window is final), the merged provisional
 * value of every window equals its final value. Changes are taken at random moments, before or after
 * the final drains (as the runner's publisher and commits interleave), so no change may be lost to a close.
 */
describe('provisional rows', () => {
  it('converge to the final rows when no further record arrives', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordStream(),
        batchSizeArbitrary,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        async ({ records }, batchSize, publishFirst) => {
          const engines = new Map<JobName, JobEngine>(
            JOBS.map((job) => [job, new JobEngine(job, jobViews(job), LAW_OPTIONS)]),
          );
          for (const engine of engines.values()) engine.trackChanges(); // as a publishing runner does
          const table = new ProvisionalTable();
          const finals = new Map<string, ViewRow[]>();
          const publish = () => {
            for (const [job, engine] of engines)
              for (const change of engine.drainChanged())
                expect(
                  table.applyEncoded(encodeProvisional(provisionalMessage(job, change, 0))),
                ).not.toBeInstanceOf(Error);
          };
          const drainFinal = () => {
            for (const engine of engines.values())
              for (const [view, rows] of engine.drainFinal())
                finals.set(view, [...(finals.get(view) ?? []), ...rows]);
          };
          for (let start = 0, round = 0; start < records.length; start += batchSize, round++) {
            const batch = records.slice(start, start + batchSize);
            for (const job of JOBS)
              engines.get(job)!.process(batch.filter((record) => jobOf(record.topic) === job));
            if (publishFirst[round % publishFirst.length]!) publish();
            drainFinal();
          }
          publish(); // every record processed: what a reader holds now
          for (const engine of engines.values()) engine.endOfInput();
          drainFinal();

          const expected = new Map<string, ViewRow[]>();
          const actual = new Map<string, ViewRow[]>();
          for (const job of JOBS) {
            for (const view of jobViews(job)) {
              const definition = viewDefinition(view.name);
              const rows = mergeRows(definition, finals.get(view.name) ?? []);
              expected.set(
                view.name,
                rows.map((row) => logicalRow(definition, row)),
              );
              actual.set(view.name, table.rows(view.name, ALL, -Infinity));
            }
          }
          const found = differences(
            { rowsByView: actual, rejected: [] },
            { rowsByView: expected, rejected: [] },
          );
          expect(found).toEqual([]);
        },
      ),
      { numRuns: runs(150) },
    );
  });
});

/** The job reading a topic; undefined for the stream's unknown topics (rejected by any engine). */
function jobOf(topic: string): JobName | undefined {
  return JOBS.find((job) => (JOB_TOPICS[job] as readonly string[]).includes(topic));
}
