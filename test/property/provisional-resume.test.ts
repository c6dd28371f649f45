import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOBS, JOB_TOPICS } from '../../src/events/topics.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { JobEngine } from '../../src/processor/engine/job-engine.ts';
import type { PartitionChanges } from '../../src/processor/engine/open-cells.ts';
import { jobViews } from '../../src/processor/runner/job-views.ts';
import { batchSizeArbitrary, recordStream } from './arbitraries.ts';
import { LAW_OPTIONS, runs } from './laws.ts';

type Cells = Map<string, ViewRow[]>;

/** Keeps the newest rows of every cell, as a reader of the changes does ([]: the cell is gone). */
function apply(cells: Cells, changes: readonly PartitionChanges[]): void {
  for (const { topic, partition, views } of changes)
    for (const [view, changed] of views)
      for (const [cell, rows] of changed) cells.set(`${topic}:${partition} ${view} ${cell}`, rows);
}

/**
 * The stores report only the cells that changed, and a job catching up stops tracking (pauseChanges)
 * and later resumes: whatever the pattern, a reader applying every change holds, for every open cell,
 * the value a fresh engine over the same records lists when asked for all its open cells.
 */
describe('provisional changes', () => {
  it('leave a reader with every open cell at its current value, across pauses', () => {
    fc.assert(
      fc.property(
        recordStream(),
        batchSizeArbitrary,
        fc.array(fc.constantFrom('take', 'skip', 'pause'), { minLength: 1, maxLength: 30 }),
        ({ records }, batchSize, steps) => {
          for (const job of JOBS) {
            const input = records.filter((record) =>
              (JOB_TOPICS[job] as readonly string[]).includes(record.topic),
            );
            const tracked = new JobEngine(job, jobViews(job), LAW_OPTIONS);
            const fresh = new JobEngine(job, jobViews(job), LAW_OPTIONS);
            const reader: Cells = new Map();
            tracked.trackChanges();
            for (let start = 0, round = 0; start < input.length; start += batchSize, round++) {
              const step = steps[round % steps.length]!;
              if (step === 'pause') tracked.pauseChanges();
              else tracked.trackChanges();
              const batch = input.slice(start, start + batchSize);
              tracked.process(batch);
              fresh.process(batch);
              if (step === 'take') apply(reader, tracked.drainChanged());
              tracked.drainFinal();
              fresh.drainFinal();
            }
            tracked.trackChanges();
            apply(reader, tracked.drainChanged());

            const open: Cells = new Map();
            apply(open, fresh.drainChanged()); // a first call lists every open cell
            for (const [cell, rows] of open) expect([cell, reader.get(cell)]).toEqual([cell, rows]);
          }
        },
      ),
      { numRuns: runs(150) },
    );
  });
});
