/**
 * The webhook deliveries of one serve process, in the background: each transition to each URL of its
 * rule (webhook-delivery.ts does the tries), at most 1000 in flight, a delivery given up counted and
 * logged with the URL's origin only.
 */
import type { Logger } from 'pino';
import type { AlertDocument } from './alert-document.ts';
import type { AlertMetrics } from './alert-metrics.ts';
import { deliverWebhook, webhookOrigin, type WebhookOptions } from './webhook-delivery.ts';

const MAX_IN_FLIGHT = 1000;

export class WebhookDispatch {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: WebhookOptions,
    private readonly metrics: AlertMetrics,
    private readonly logger: Logger,
  ) {}

  send(urls: readonly string[], document: AlertDocument): void {
    for (const url of urls) {
      const logged = { rule: document.rule, webhook: webhookOrigin(url), id: document.id };
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        this.metrics.webhookFailures.inc({ rule: document.rule });
        this.logger.warn(logged, 'webhook delivery dropped: too many in flight');
        continue;
      }
      const delivery = deliverWebhook(url, JSON.stringify(document), document.id, this.options).then(
        (result) => {
          if (result.delivered) return;
          this.metrics.webhookFailures.inc({ rule: document.rule });
          this.logger.warn(
            { ...logged, attempts: result.attempts, last: result.last },
            'webhook delivery given up',
          );
        },
      );
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
  }

  /** Resolves once no delivery is in flight, or after `boundMs`. */
  async drained(boundMs = Infinity): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => {
      if (Number.isFinite(boundMs)) timer = setTimeout(resolve, boundMs).unref();
    });
    const all = (async () => {
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    })();
    await Promise.race([all, bound]).finally(() => clearTimeout(timer));
  }
}
