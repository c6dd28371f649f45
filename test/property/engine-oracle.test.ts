import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import { batchSizeArbitrary, recordStream } from './arbitraries.ts';
import { REJECTED } from '../../src/events/view-result.ts';
import { matchesOracle, partsDifferingFromOracle, runs, sharedSeed } from './laws.ts';

const seed = sharedSeed();

/** A check over any stream and batching: `numRuns` inputs from the file's seed. */
function forAnyStream(check: (records: readonly SourceRecord[], batchSize: number) => Promise<void>) {
  return fc.assert(
    fc.asyncProperty(recordStream(), batchSizeArbitrary, ({ records }, batchSize) =>
      check(records, batchSize),
    ),
    { numRuns: runs(200), seed },
  );
}

// One pass over the streams checks every part (replay and the oracle run once per stream). A part that
// differed on some stream is then checked alone from the same seed, so that fast-check shrinks the stream
// and the failure names the part, with seed and diff; a part that never differed costs nothing more.
const differing = new Set<string>();
beforeAll(() =>
  forAnyStream(async (records, batchSize) => {
    for (const part of await partsDifferingFromOracle(records, batchSize)) differing.add(part);
  }),
);

/** The oracle law for one part of the result (a view, or the rejected list). */
async function oracleLaw(part: string): Promise<void> {
  if (differing.has(part))
    await forAnyStream((records, batchSize) => matchesOracle(records, batchSize, part));
}

describe('processor = oracle, for any stream and batching', () => {
  it.each(VIEW_NAMES)('engine equals oracle for %s', (view) => oracleLaw(view));

  it('engine rejects the same records as the oracle', () => oracleLaw(REJECTED));
});
