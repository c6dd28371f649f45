/**
 * Webhook delivery (src/alerts/webhook-delivery.ts) against a local receiver: a 500 is retried with
 * the same idempotency key, a receiver that keeps failing is given up after the bound, a 4xx is not
 * retried, a receiver that does not answer in time counts as a failed try.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { backoffMs, deliverWebhook, webhookOrigin } from '../../src/alerts/webhook-delivery.ts';
import { webhookReceiver } from './webhook-receiver.ts';

const FAST = { timeoutMs: 5_000, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 };
const BODY = JSON.stringify({ rule: 'brute_force_login', state: 'firing' });

describe('webhook delivery', () => {
  it('retries after a 500 and delivers, with the same idempotency key on every try', async () => {
    const receiver = await webhookReceiver([500, 200]);

    const delivery = await deliverWebhook(receiver.url, BODY, 'rule.abc.1.firing', FAST);

    expect(delivery).toEqual({ delivered: true, attempts: 2, last: 'HTTP 200' });
    expect(receiver.received.map(({ headers }) => headers['idempotency-key'])).toEqual([
      'rule.abc.1.firing',
      'rule.abc.1.firing',
    ]);
    expect(receiver.received[1]!.headers['content-type']).toBe('application/json');
    expect(receiver.received[1]!.body).toEqual({ rule: 'brute_force_login', state: 'firing' });
  });

  it('gives up after maxAttempts tries of a receiver that keeps failing', async () => {
    const receiver = await webhookReceiver([503]);

    const delivery = await deliverWebhook(receiver.url, BODY, 'k', FAST);

    expect(delivery).toEqual({ delivered: false, attempts: 3, last: 'HTTP 503' });
    expect(receiver.received).toHaveLength(3);
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    const receiver = await webhookReceiver([404, 200]);

    expect(await deliverWebhook(receiver.url, BODY, 'k', FAST)).toEqual({
      delivered: false,
      attempts: 1,
      last: 'HTTP 404',
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('counts a receiver that does not answer within the timeout as a failed try', async () => {
    const silent = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;

    const delivery = await deliverWebhook(url, BODY, 'k', { ...FAST, timeoutMs: 200, maxAttempts: 2 });

    expect(delivery).toEqual({ delivered: false, attempts: 2, last: 'no answer within 200 ms' });
  });

  it('backs off exponentially up to the cap, and logs a webhook by its origin only', () => {
    expect([1, 2, 3, 4].map((failed) => backoffMs(FAST, failed))).toEqual([10, 20, 40, 40]);
    expect(webhookOrigin('https://user:pw@hooks.example:8443/T0/secret?token=x')).toBe(
      'https://hooks.example:8443',
    );
  });
});
