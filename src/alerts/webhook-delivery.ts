/**
 * One transition to one webhook: a JSON POST with an `Idempotency-Key` header (the transition id, the
 * same on every try), each try bounded by a timeout, retried with exponential backoff on a network
 * error, a timeout, a 5xx, 408 or 429, at most `maxAttempts` times. Other 4xx answers are final.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WebhookOptions {
  /** One try's bound, connect to the end of the answer. Default 5 s. */
  timeoutMs: number;
  /** Tries in all, the first included. Default 5. */
  maxAttempts: number;
  /** Wait before the second try; doubles each time up to maxDelayMs. Defaults 500 ms, 30 s. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  timeoutMs: 5_000,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

export interface Delivery {
  delivered: boolean;
  attempts: number;
  /** The last answer's status, or the last error's message. */
  last: string;
}

const RETRIED_STATUSES = new Set([408, 429]);

export function backoffMs(options: WebhookOptions, failedAttempts: number): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failedAttempts - 1));
}

export async function deliverWebhook(
  url: string,
  body: string,
  idempotencyKey: string,
  options: WebhookOptions = DEFAULT_WEBHOOK_OPTIONS,
): Promise<Delivery> {
  let last = '';
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    if (attempt > 1) await sleep(backoffMs(options, attempt - 1));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'error',
      });
      await response.arrayBuffer(); // read to the end, so the connection is reused
      last = `HTTP ${response.status}`;
      if (response.ok) return { delivered: true, attempts: attempt, last };
      if (response.status < 500 && !RETRIED_STATUSES.has(response.status))
        return { delivered: false, attempts: attempt, last };
    } catch (error) {
      last =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${options.timeoutMs} ms`
          : String((error as Error).message);
    }
  }
  return { delivered: false, attempts: options.maxAttempts, last };
}

/** The URL without credentials, path or query (they may hold a secret), for logs. */
export function webhookOrigin(url: string): string {
  return new URL(url).origin;
}
