/**
 * A JobState as the runner makes one, for tests that drive the run loop without Kafka: the contract's
 * defaults (D = 2 min, session gap 10 min), the idle rule after 1 ms (so an idle advance finalises
 * everything), 6 partitions per topic, silent logs.
 */
import type { JobName } from '../../src/events/topics.ts';
import { JOB_VIEWS } from '../../src/processor/jobs.ts';
import { JobState, type JobStateOptions } from '../../src/processor/runner/job-state.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { createMetrics } from '../../src/processor/runtime/metrics.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';

export const TEST_PARTITIONS = 6;
const metrics = createMetrics();
const logger = createLogger({ level: 'silent', format: 'json' });

export function testJobState(
  store: ObjectStore,
  job: JobName,
  writerId: string,
  overrides: Partial<JobStateOptions> = {},
): JobState {
  return new JobState({
    job,
    views: JOB_VIEWS[job],
    store,
    layout: DEFAULT_LAYOUT,
    writerId,
    watermarkDelayMs: 120_000,
    sessionGapMs: 600_000,
    idleTimeoutMs: 1,
    keepCheckpoints: 3,
    partitions: TEST_PARTITIONS,
    flushIntervalMs: 60_000,
    metrics,
    logger,
    ...overrides,
  });
}
