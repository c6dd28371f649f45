import { describe, expect, inject, it } from 'vitest';
import { createLoadTopics, jobsRun } from '../../src/load/load-fixture.ts';
import { startServeSideApart } from '../../src/load/serve-side.ts';
import { START_TIMEOUT_MS } from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

describe('load --serve-apart', () => {
  it(
    'runs serve and its freshness probe in a child process, the subscribers in one more, and hands back their figures',
    async () => {
      const topics = await createLoadTopics(endpoints);
      const run = jobsRun(endpoints, topics, 'serve-side');
      const side = await startServeSideApart({ endpoints, run, idleTimeout: '5s', subscribers: 3 });
      side.measure(true);
      side.measure(false);
      const result = await side.stop();
      // No job ran: no provisional message to measure, three subscribers none of which was dropped.
      expect(result.freshness).toBeNull();
      expect(result.sse).toMatchObject({ subscribers: 3, provisionalEvents: 0, dropped: 0, inOrder: true });
      expect(result.loopDelayMs?.max).toBeGreaterThanOrEqual(0);
    },
    START_TIMEOUT_MS * 2,
  );
});
