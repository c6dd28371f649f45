import fc from 'fast-check';
import { describe, it } from 'vitest';
import { batchSizeArbitrary, recordStream } from './arbitraries.ts';
import { matchesOracle, runs } from './laws.ts';

describe('processor = oracle', () => {
  it('gives the oracle rows for all 25 views and the same rejected records, for any stream and batching', async () => {
    await fc.assert(
      fc.asyncProperty(recordStream(), batchSizeArbitrary, async ({ records }, batchSize) => {
        await matchesOracle(records, batchSize);
      }),
      { numRuns: runs(200) },
    );
  });
});
