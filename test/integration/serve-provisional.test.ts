import pino from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { batchLayoutOf } from '../../src/batch/batch-layout.ts';
import { VIEW_NAMES, viewSpec } from '../../src/events/view-catalog.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { differences, type ViewResult } from '../../src/events/view-result.ts';
import { provisionalTopic } from '../../src/processor/io/provisional-message.ts';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { provisionalLookbackMs } from '../../src/serving/provisional-feed.ts';
import { startServe } from '../../src/serving/run-serve.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import {
  createFixture,
  fixtureSettings,
  oracleResult,
  produceBackfill,
  readBack,
  SETTLE_TIMEOUT_MS,
  waitFor,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

interface Served {
  result: ViewResult;
  provisional: number;
  final: number;
}

/** Every row `serve` answers for all time, per view (timestamps back to ms), and how many were provisional. */
async function servedRows(url: string): Promise<Served> {
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const range = `from=${iso(Date.now() - 2 * day)}&to=${iso(Date.now() + day)}`; // the fixture's events are of today
  const rowsByView = new Map<string, ViewRow[]>();
  let provisional = 0;
  let final = 0;
  for (const view of VIEW_NAMES) {
    const spec = viewSpec(view);
    const rows: ViewRow[] = [];
    let cursor: string | null = null;
    do {
      const query = `${range}&limit=10000${cursor === null ? '' : `&cursor=${cursor}`}`;
      const response = await fetch(`${url}/v1/views/${view}?${query}`);
      if (!response.ok) throw new Error(`${view}: ${response.status} ${await response.text()}`);
      const answer = (await response.json()) as {
        rows: Record<string, unknown>[];
        page: { next_cursor: string | null };
      };
      for (const served of answer.rows) {
        if (served.is_final === false) provisional++;
        else final++;
        const row: ViewRow = {};
        for (const { name, type } of spec.columns)
          row[name] =
            type === 'timestamp' ? Date.parse(served[name] as string) : (served[name] as ViewRow[string]);
        rows.push(row);
      }
      cursor = answer.page.next_cursor;
    } while (cursor !== null);
    rowsByView.set(view, rows);
  }
  return { result: { rowsByView, rejected: [] }, provisional, final };
}

describe('serve with the jobs’ provisional rows', () => {
  it('answers open windows with provisional rows that equal the oracle once every record is processed', async () => {
    const fixture = await createFixture(endpoints);
    // Events up to now: the windows of the last watermark delay stay open (no idle advance in the test).
    await produceBackfill(endpoints, fixture, 4000, 200, { endsAgoMs: 0 });
    const settings = fixtureSettings(fixture, { idleTimeout: '1h' });
    const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
    const running = await startJobs({ settings, endpoints, store: fixture.store, logger, http: false });
    const serve = await startServe({
      store: fixture.store,
      layout: fixture.layout,
      batchLayout: batchLayoutOf(settings),
      host: '127.0.0.1',
      port: 0,
      logger,
      provisional: {
        kafka: createKafka(endpoints.kafka, 'serve-provisional-test'),
        topic: provisionalTopic(settings.topicPrefix),
        lookbackMs: provisionalLookbackMs({
          sessionGapMs: settings.sessionGap,
          watermarkDelayMs: settings.watermarkDelay,
        }),
      },
    });
    try {
      const records = await readBack(endpoints, fixture);
      const expected = await oracleResult(records);
      expected.rejected = [];
      let served: Served | undefined;
      await waitFor(
        'served rows (complete and provisional) equal to the oracle',
        async () => {
          served = await servedRows(serve.url);
          return differences(served.result, expected).length === 0;
        },
        SETTLE_TIMEOUT_MS,
      ).catch((error: unknown) => {
        const found = served === undefined ? [] : differences(served.result, expected, 10);
        throw new Error(`${(error as Error).message}\n${found.join('\n')}`);
      });
      expect(served!.provisional).toBeGreaterThan(0);
      expect(served!.final).toBeGreaterThan(0);
      process.stderr.write(
        `[serve provisional] ${served!.final} final and ${served!.provisional} provisional rows\n`,
      );
    } finally {
      await serve.close();
      await running.stop();
    }
  });
});
