/**
 * Exactly once across restarts and processes: two alert services over one file store evaluate the same
 * rows. The first logs and delivers the firing; the second, started later, rebuilds its state from the
 * alert log and neither logs nor delivers it again, yet shows it firing; the resolution is then logged
 * and delivered once, whichever of the two evaluates first. The same for an absence rule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALERTS_PREFIX } from '../../src/alerts/alert-log.ts';
import {
  alertService,
  authStore,
  bruteForceRules,
  failedRow,
  metricValue,
  type AuthStore,
} from './alerts-fixture.ts';
import { webhookReceiver } from './webhook-receiver.ts';

let lake: AuthStore | undefined;
afterEach(async () => lake?.remove());

describe('alert transitions across a restart', () => {
  it('are logged and delivered exactly once by two evaluators of one store', async () => {
    lake = await authStore();
    const receiver = await webhookReceiver([200]);
    const rules = bruteForceRules(receiver.url);
    await lake.commit('08:02', [
      failedRow('08:00', 'u-1', 25),
      failedRow('08:01', 'u-1', 30),
      failedRow('08:01', 'u-2', 40),
    ]);

    const first = alertService(lake.store, rules);
    await first.service.start();
    await first.service.idle();

    const logKeys = () => lake!.store.list(DEFAULT_ALERTS_PREFIX);
    expect(await logKeys()).toHaveLength(1);
    expect((await logKeys())[0]).toMatch(
      /^alerts\/date=2025-01-06\/brute_force_login\.[0-9a-f]{16}\.\d+\.firing\.json$/,
    );
    expect(receiver.received.map(({ body }) => [body.state, body.key, body.since])).toEqual([
      ['firing', { user_id: 'u-1' }, '2025-01-06T08:00:00.000Z'],
    ]);

    const second = alertService(lake.store, rules); // a restart, or a second serve process
    await second.service.start();
    await second.service.idle();

    expect(await logKeys()).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
    expect(
      await metricValue(
        second.registry,
        'speed_layer_alert_transitions_total{rule="brute_force_login",state="firing"}',
      ),
    ).toBe(0);
    expect(second.service.snapshot().alerts.map(({ state, key, since }) => ({ state, key, since }))).toEqual([
      { state: 'firing', key: { user_id: 'u-1' }, since: '2025-01-06T08:00:00.000Z' },
    ]);

    // u-1 drops under the threshold: both see it; one logs and delivers the resolution.
    await lake.commit('08:03', [failedRow('08:02', 'u-1', 3)]);
    await second.service.evaluateNow();
    await first.service.evaluateNow();
    await Promise.all([first.service.idle(), second.service.idle()]);

    expect((await logKeys()).map((key) => key.split('.').at(-2))).toEqual(['firing', 'resolved']);
    expect(receiver.received.map(({ body }) => body.state)).toEqual(['firing', 'resolved']);
    expect(new Set(receiver.received.map(({ headers }) => headers['idempotency-key'])).size).toBe(2);
    for (const { service } of [first, second])
      expect(service.snapshot().alerts.map(({ state }) => state)).toEqual(['resolved']);

    await Promise.all([first.service.stop(), second.service.stop()]);
  });

  it('does not forget a firing alert nor fire it again when restarted long after it fired', async () => {
    lake = await authStore();
    const receiver = await webhookReceiver([200]);
    const rules = bruteForceRules(receiver.url);
    await lake.commit('08:02', [failedRow('08:00', 'u-1', 25), failedRow('08:01', 'u-1', 30)]);
    const first = alertService(lake.store, rules);
    await first.service.start();
    await first.service.stop();

    // Still above the threshold in every later minute; the restart looks back over them only.
    const later = ['08:02', '08:03', '08:04', '08:05'].map((minute) => failedRow(minute, 'u-1', 50));
    await lake.commit('08:06', later);
    const second = alertService(lake.store, rules);
    await second.service.start();
    await second.service.idle();

    expect(receiver.received).toHaveLength(1);
    expect(await lake.store.list(DEFAULT_ALERTS_PREFIX)).toHaveLength(1);
    expect(second.service.snapshot().alerts).toMatchObject([
      { state: 'firing', since: '2025-01-06T08:00:00.000Z' },
    ]);
    await second.service.stop();
  });

  it('fires an absence rule once, from the last row seen, and a restart agrees on the episode', async () => {
    lake = await authStore();
    const receiver = await webhookReceiver([200]);
    const rules = `webhooks: ['${receiver.url}']
rules:
  - { name: no_failed_logins, view: auth_realtime_failed_logins, absent_for: 3m, severity: info }
`;
    await lake.commit('08:05', [failedRow('08:00', 'u-1', 2)]);

    const first = alertService(lake.store, rules);
    await first.service.start();
    await first.service.idle();
    const second = alertService(lake.store, rules);
    await second.service.start();
    await second.service.idle();

    // The minutes 08:01-08:04 are complete and empty: silent since 08:01, for 3 min by 08:04.
    expect(receiver.received.map(({ body }) => [body.state, body.since, body.at])).toEqual([
      ['firing', '2025-01-06T08:01:00.000Z', '2025-01-06T08:04:00.000Z'],
    ]);
    expect(second.service.snapshot().alerts).toMatchObject([{ rule: 'no_failed_logins', state: 'firing' }]);

    await lake.commit('08:07', [failedRow('08:06', 'u-9', 1)]);
    await first.service.evaluateNow();
    await second.service.evaluateNow();
    await Promise.all([first.service.idle(), second.service.idle()]);

    expect(receiver.received.map(({ body }) => [body.state, body.at])).toEqual([
      ['firing', '2025-01-06T08:04:00.000Z'],
      ['resolved', '2025-01-06T08:06:00.000Z'],
    ]);
    expect(await lake.store.list(DEFAULT_ALERTS_PREFIX)).toHaveLength(2);
    await Promise.all([first.service.stop(), second.service.stop()]);
  });
});
