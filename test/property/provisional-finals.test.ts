import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOBS, JOB_TOPICS, type JobName, type Topic } from '../../src/events/topics.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { differences } from '../../src/events/view-result.ts';
import { JobEngine } from '../../src/processor/engine/job-engine.ts';
import { logicalRow, mergeRows } from '../../src/processor/engine/merge-rows.ts';
import { jobViews } from '../../src/processor/runner/job-views.ts';
import { viewDefinition } from '../../src/processor/views/index.ts';
import { batchSizeArbitrary, recordStream } from './arbitraries.ts';
import { LAW_OPTIONS, runs } from './laws.ts';

/**
 * Provisional tracking never changes final rows: engines whose tracking is switched on and off at random
 * moments (as the publisher's gate does while a job falls behind and catches up), with changes taken
 * and idle advances applied at random moments, drain the same final rows as engines that never track.
 */
describe('provisional tracking', () => {
  it('leaves the final rows as they are without it', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordStream(),
        batchSizeArbitrary,
        fc.array(fc.constantFrom('track', 'pause', 'take', 'idle', 'none'), { minLength: 1, maxLength: 30 }),
        async ({ records }, batchSize, steps) => {
          const finalsOf = (tracking: boolean) => {
            const engines = new Map<JobName, JobEngine>(
              JOBS.map((job) => [job, new JobEngine(job, jobViews(job), LAW_OPTIONS)]),
            );
            const finals = new Map<string, ViewRow[]>();
            const drainFinal = () => {
              for (const engine of engines.values())
                for (const [view, rows] of engine.drainFinal())
                  finals.set(view, [...(finals.get(view) ?? []), ...rows]);
            };
            for (let start = 0, round = 0; start < records.length; start += batchSize, round++) {
              const step = steps[round % steps.length]!;
              for (const engine of engines.values()) {
                if (!tracking) continue;
                if (step === 'track') engine.trackChanges();
                if (step === 'pause') engine.pauseChanges();
                if (step === 'take') engine.drainChanged();
              }
              const batch = records.slice(start, start + batchSize);
              for (const job of JOBS)
                engines.get(job)!.process(batch.filter((record) => jobOf(record.topic) === job));
              // The idle rule closing windows of every partition seen so far (same moments for both runs).
              if (step === 'idle') idleAll(engines, records.slice(0, start + batchSize));
              if (tracking && step === 'take') for (const engine of engines.values()) engine.drainChanged();
              drainFinal();
            }
            for (const engine of engines.values()) engine.endOfInput();
            drainFinal();
            const merged = new Map<string, ViewRow[]>();
            for (const job of JOBS)
              for (const view of jobViews(job)) {
                const definition = viewDefinition(view.name);
                merged.set(
                  view.name,
                  mergeRows(definition, finals.get(view.name) ?? []).map((row) =>
                    logicalRow(definition, row),
                  ),
                );
              }
            return merged;
          };
          const found = differences(
            { rowsByView: finalsOf(true), rejected: [] },
            { rowsByView: finalsOf(false), rejected: [] },
          );
          expect(found).toEqual([]);
        },
      ),
      { numRuns: runs(150) },
    );
  });
});

function idleAll(engines: ReadonlyMap<JobName, JobEngine>, seen: readonly SourceRecord[]): void {
  const newestMs = Math.max(...seen.map((record) => record.timestamp));
  if (!Number.isFinite(newestMs)) return;
  for (const record of seen) {
    const job = jobOf(record.topic);
    if (job !== undefined)
      engines.get(job)!.advanceIdle(record.topic as Topic, record.partition, newestMs - 60_000);
  }
}

function jobOf(topic: string): JobName | undefined {
  return JOBS.find((job) => (JOB_TOPICS[job] as readonly string[]).includes(topic));
}
