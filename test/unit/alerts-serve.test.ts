/**
 * Alerts through serve's HTTP server (buildServeServer), over rows in a file store written as running
 * jobs write them: without rules /v1/alerts is a 404 saying so; with rules, failed logins crossing the
 * threshold show up on GET /v1/alerts (the JSON shape), on the SSE stream (resumable by id), at the
 * webhook receiver (with the idempotency key) and in the alert log, found by serve's own timer.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALERTS_PREFIX } from '../../src/alerts/alert-log.ts';
import type { AlertService } from '../../src/alerts/alert-service.ts';
import { MergedRows } from '../../src/serving/merged-rows.ts';
import { createServeMetrics } from '../../src/serving/serve-metrics.ts';
import { buildServeServer } from '../../src/serving/serve-server.ts';
import {
  alertService,
  authStore,
  bruteForceRules,
  failedRow,
  metricValue,
  type AuthStore,
} from './alerts-fixture.ts';
import { webhookReceiver } from './webhook-receiver.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listening(
  lake: AuthStore,
  alerts?: AlertService,
  metrics = createServeMetrics({ defaultMetrics: false }),
): Promise<{ server: FastifyInstance; url: string }> {
  const server = await buildServeServer({
    rows: new MergedRows(lake.store),
    metrics,
    ...(alerts && { alerts }),
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => server.close());
  return { server, url };
}

/** Reads SSE events from `response` until `count` `alert` events arrived. */
async function alertEvents(
  response: Response,
  count: number,
): Promise<{ id: string; data: Record<string, unknown> }[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { id: string; data: Record<string, unknown> }[] = [];
  let text = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended after ${events.length} events`);
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) !== -1) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      if (fields.event === 'alert') events.push({ id: fields.id!, data: JSON.parse(fields.data!) });
    }
  }
  await reader.cancel();
  return events;
}

describe('GET /v1/alerts without --alerts', () => {
  it('answers 404 saying no rules are configured, for the list and the stream', async () => {
    const lake = await authStore();
    cleanups.push(() => lake.remove());
    const { url } = await listening(lake);

    for (const path of ['/v1/alerts', '/v1/alerts/stream']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: 'not_found',
        message: 'no alert rules configured (serve --alerts FILE)',
      });
    }
  });
});

describe('alerts in serve', () => {
  it('shows failed logins crossing the threshold on /v1/alerts, the stream, the webhook and the alert log', async () => {
    const lake = await authStore();
    cleanups.push(() => lake.remove());
    const receiver = await webhookReceiver([500, 200]); // the first try fails: delivered on the retry
    await lake.commit('08:01', [failedRow('08:00', 'u-1', 25), failedRow('08:00', 'u-2', 2)]);
    const metrics = createServeMetrics({ defaultMetrics: false });
    const alerts = alertService(lake.store, bruteForceRules(receiver.url), {
      intervalMs: 50,
      registry: metrics.registry,
    });
    cleanups.push(() => alerts.service.stop());
    const { url } = await listening(lake, alerts.service, metrics);
    await alerts.service.start();

    const before = (await (await fetch(`${url}/v1/alerts`)).json()) as {
      rules: unknown[];
      alerts: unknown[];
    };
    expect(before.alerts).toEqual([]);
    expect(before.rules).toEqual([
      {
        name: 'brute_force_login',
        view: 'auth_realtime_failed_logins',
        severity: 'critical',
        where: {},
        column: 'failed_attempts',
        op: '>=',
        threshold: 20,
        for: 2,
        on: 'final',
      },
    ]);
    const stream = await fetch(`${url}/v1/alerts/stream`);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');

    // The second minute over 20 completes: serve's timer sees the completeness advance.
    await lake.commit('08:02', [failedRow('08:01', 'u-1', 31)]);
    const [event] = await alertEvents(stream, 1);

    const expected = {
      rule: 'brute_force_login',
      severity: 'critical',
      view: 'auth_realtime_failed_logins',
      key: { user_id: 'u-1' },
      state: 'firing',
      since: '2025-01-06T08:00:00.000Z',
      at: '2025-01-06T08:01:00.000Z',
      provisional: false,
      rows: [
        {
          window_start: '2025-01-06T08:00:00.000Z',
          window_end: '2025-01-06T08:01:00.000Z',
          user_id: 'u-1',
          failed_attempts: 25,
          distinct_ips: 1,
          suspected_brute_force: true,
          source: 'speed',
          is_final: true,
        },
        {
          window_start: '2025-01-06T08:01:00.000Z',
          window_end: '2025-01-06T08:02:00.000Z',
          user_id: 'u-1',
          failed_attempts: 31,
          distinct_ips: 1,
          suspected_brute_force: true,
          source: 'speed',
          is_final: true,
        },
      ],
    };
    expect(event!.data).toMatchObject(expected);
    const listed = (await (await fetch(`${url}/v1/alerts`)).json()) as { alerts: Record<string, unknown>[] };
    expect(listed.alerts).toEqual([event!.data]);

    await alerts.service.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toEqual(event!.data);
    expect(receiver.received[1]!.headers['idempotency-key']).toBe(event!.data.id);
    const [logKey] = await lake.store.list(DEFAULT_ALERTS_PREFIX);
    expect(logKey).toBe(`alerts/date=2025-01-06/${String(event!.data.id)}.json`);
    expect(JSON.parse((await lake.store.get(logKey!))!.toString('utf8'))).toEqual(event!.data);

    // A client reconnecting with the last id it saw gets nothing twice; one from before gets it again.
    const resumed = await fetch(`${url}/v1/alerts/stream`, {
      headers: { 'last-event-id': String(Number(event!.id) - 1) },
    });
    expect((await alertEvents(resumed, 1))[0]).toEqual(event);
    const scraped = await (await fetch(`${url}/metrics`)).text();
    expect(scraped).toContain('speed_layer_alerts_firing{rule="brute_force_login",severity="critical"} 1');
    expect(
      await metricValue(
        alerts.registry,
        'speed_layer_alert_transitions_total{rule="brute_force_login",state="firing"}',
      ),
    ).toBe(1);
    expect(alerts.logs()).not.toContain('s3cret'); // the webhook's query string is never logged
  });
});
