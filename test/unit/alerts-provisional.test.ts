/**
 * `on: provisional` inside the alert service: a provisional row of an open window that crosses the
 * threshold fires the alert as soon as the ProvisionalRows source says it changed, before the window
 * completes; its final row then confirms it without a second transition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ViewRow } from '../../src/events/view-dump.ts';
import type { ProvisionalChange, ProvisionalRows } from '../../src/serving/provisional-rows.ts';
import { DEFAULT_ALERTS_PREFIX } from '../../src/alerts/alert-log.ts';
import { FAILED_LOGINS, alertService, at, authStore, failedRow, type AuthStore } from './alerts-fixture.ts';
import { webhookReceiver } from './webhook-receiver.ts';

let lake: AuthStore | undefined;
afterEach(async () => lake?.remove());

/** A provisional source the test feeds by hand. */
function handFedProvisional() {
  let rows: ViewRow[] = [];
  const listeners = new Set<(change: ProvisionalChange) => void>();
  const source: ProvisionalRows = {
    rowsOf: (view, range) =>
      view === FAILED_LOGINS
        ? rows.filter(
            (row) => Number(row.window_start) >= range.fromMs && Number(row.window_start) < range.toMs,
          )
        : [],
    asOfMs: () => null,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const change = (next: ViewRow[]) => {
    rows = next;
    for (const listener of listeners) listener({ view: FAILED_LOGINS, rows: next, asOfMs: at('08:01') });
  };
  return { source, change };
}

describe('rules on provisional rows', () => {
  it('fire on an open window’s provisional value, and the final row adds no transition', async () => {
    lake = await authStore();
    const receiver = await webhookReceiver([200]);
    await lake.commit('08:01', [failedRow('08:00', 'u-1', 1)]);
    const provisional = handFedProvisional();
    const alerts = alertService(
      lake.store,
      `webhooks: ['${receiver.url}']
rules:
  - { name: brute_early, view: ${FAILED_LOGINS}, column: failed_attempts, op: '>=', threshold: 20, severity: critical, on: provisional }
`,
      { provisional: provisional.source },
    );
    await alerts.service.start();
    expect(alerts.service.snapshot().alerts).toEqual([]);

    provisional.change([failedRow('08:01', 'u-1', 21)]); // the minute 08:01 is still open
    await alerts.service.idle();

    expect(receiver.received.map(({ body }) => [body.state, body.since, body.provisional])).toEqual([
      ['firing', '2025-01-06T08:01:00.000Z', true],
    ]);
    expect((receiver.received[0]!.body.rows as { source: string; is_final: boolean }[])[0]).toMatchObject({
      source: 'provisional',
      is_final: false,
    });

    // The minute completes with 24 failures: confirmed, no second transition.
    await lake.commit('08:02', [failedRow('08:01', 'u-1', 24)]);
    provisional.change([]);
    await alerts.service.evaluateNow();
    await alerts.service.idle();

    expect(receiver.received).toHaveLength(1);
    expect(await lake.store.list(DEFAULT_ALERTS_PREFIX)).toHaveLength(1);
    expect(alerts.service.snapshot().alerts).toMatchObject([{ state: 'firing', provisional: true }]);
    await alerts.service.stop();
  });
});
