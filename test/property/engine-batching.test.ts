import fc from 'fast-check';
import { describe, it } from 'vitest';
import { batchSizeArbitrary, recordStream, reinterleave } from './arbitraries.ts';
import { assertSameResult, replayInMemory, runs } from './laws.ts';

describe('independence from batching and interleaving', () => {
  it('gives identical output for the same per-partition order with other batch sizes and interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordStream(),
        batchSizeArbitrary,
        batchSizeArbitrary,
        fc.array(fc.nat(11), { minLength: 1, maxLength: 40 }),
        async ({ records }, firstBatchSize, secondBatchSize, choices) => {
          const first = await replayInMemory(records, firstBatchSize);
          const second = await replayInMemory(reinterleave(records, choices), secondBatchSize);
          assertSameResult(
            second,
            first,
            `batch ${secondBatchSize} + reinterleaved vs batch ${firstBatchSize}`,
          );
        },
      ),
      { numRuns: runs(200) },
    );
  });
});
