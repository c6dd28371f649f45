import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { ReplayRun } from '../../src/processor/replay.ts';
import { batchSizeArbitrary, recordStream } from './arbitraries.ts';
import { assertSameResult, LAW_OPTIONS, runs } from './laws.ts';

function batches(records: readonly SourceRecord[], batchSize: number): SourceRecord[][] {
  const out: SourceRecord[][] = [];
  for (let at = 0; at < records.length; at += batchSize) out.push(records.slice(at, at + batchSize));
  return out;
}

describe('crash = no crash', () => {
  it('gives identical output after a snapshot at a batch boundary, a new engine, restore and the remaining records', async () => {
    await fc.assert(
      fc.asyncProperty(recordStream(), batchSizeArbitrary, fc.nat(), async ({ records }, batchSize, cut) => {
        const all = batches(records, batchSize);
        const uninterrupted = new ReplayRun(LAW_OPTIONS);
        for (const batch of all) uninterrupted.feed(batch);

        const crashAfter = all.length === 0 ? 0 : cut % (all.length + 1);
        const beforeCrash = new ReplayRun(LAW_OPTIONS);
        for (const batch of all.slice(0, crashAfter)) beforeCrash.feed(batch);
        const snapshot = beforeCrash.snapshot();
        const writtenBeforeCrash = structuredClone(beforeCrash.output);
        for (const batch of all.slice(crashAfter, crashAfter + 1)) beforeCrash.feed(batch); // work lost in the crash
        const restored = ReplayRun.restore(snapshot, LAW_OPTIONS, writtenBeforeCrash);
        for (const batch of all.slice(crashAfter)) restored.feed(batch);

        assertSameResult(restored.finish(), uninterrupted.finish(), `restored after batch ${crashAfter}`);
      }),
      { numRuns: runs(200) },
    );
  });
});
