/** Prometheus metrics of the alerts, in serve's registry (prefix `speed_layer_alert`). */
import { Counter, Gauge, type Registry } from 'prom-client';

export function createAlertMetrics(
  registry: Registry,
  firing: () => readonly { rule: string; severity: string; count: number }[],
) {
  const registers = [registry];
  return {
    firing: new Gauge({
      name: 'speed_layer_alerts_firing',
      help: 'Alerts (rule and key) firing now, by rule and severity',
      labelNames: ['rule', 'severity'],
      registers,
      collect() {
        this.reset();
        for (const { rule, severity, count } of firing()) this.set({ rule, severity }, count);
      },
    }),
    transitions: new Counter({
      name: 'speed_layer_alert_transitions_total',
      help: 'Transitions this process logged (firing, resolved), by rule',
      labelNames: ['rule', 'state'],
      registers,
    }),
    webhookFailures: new Counter({
      name: 'speed_layer_alert_webhook_failures_total',
      help: 'Webhook deliveries given up after their retries (or refused with a 4xx), by rule',
      labelNames: ['rule'],
      registers,
    }),
    evaluationFailures: new Counter({
      name: 'speed_layer_alert_evaluation_failures_total',
      help: 'Evaluation rounds of a rule that failed (store unreadable, log not written); retried next round',
      labelNames: ['rule'],
      registers,
    }),
  };
}

export type AlertMetrics = ReturnType<typeof createAlertMetrics>;
