/**
 * Prometheus gauges of the newest reconciled day (the latest date reconciled so far: an older day
 * recomputed later, e.g. after late records arrived, leaves them as they are). prom-client is
 * used directly: src/batch may not import the processor's metrics (docs/architecture.md); the names carry
 * the project's prefix `speed_layer_` all the same.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReconciliationReport, ViewReconciliation } from './reconcile-report.ts';

const PREFIX = 'speed_layer_speed_batch_';

/** Report field → gauge name and help, one gauge per view. */
const VIEW_GAUGES = {
  differing: ['rows_differing', 'Rows of the newest reconciled day whose speed and batch values differ'],
  only_batch: ['rows_only_batch', 'Rows of the newest reconciled day only the batch layer has'],
  only_speed: ['rows_only_speed', 'Rows of the newest reconciled day only the speed layer has'],
  equal: ['rows_equal', 'Rows of the newest reconciled day equal in speed and batch'],
  past_margin: [
    'rows_past_margin',
    'Sessions of the newest reconciled day the batch cut at its load window (not among the differing)',
  ],
} as const;

/** A view's figure; `past_margin` exists for session views only. */
function figure(view: ViewReconciliation, field: keyof typeof VIEW_GAUGES): number | undefined {
  return field === 'past_margin' ? view.past_margin?.rows : view[field];
}

export interface ReconcileMetrics {
  registry: Registry;
  /** Takes the report's figures if its day is the newest seen. */
  record(report: ReconciliationReport): void;
}

export function createReconcileMetrics(): ReconcileMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const viewGauges = Object.entries(VIEW_GAUGES).map(([field, [name, help]]) => ({
    field: field as keyof typeof VIEW_GAUGES,
    gauge: new Gauge({ name: `${PREFIX}${name}`, help, labelNames: ['view'], registers }),
  }));
  const late = new Gauge({
    name: `${PREFIX}late_events`,
    help: 'Late events (left out by the speed layer, counted by the batch) of the newest reconciled day',
    labelNames: ['job'],
    registers,
  });
  const day = new Gauge({
    name: `${PREFIX}reconciled_day_timestamp_seconds`,
    help: 'Start of the newest reconciled UTC day',
    registers,
  });
  let newest = '';
  return {
    registry,
    record(report) {
      if (report.day < newest) return;
      // A newer day starts afresh; the same day again (some of its views recomputed) updates those views.
      if (report.day > newest) for (const gauge of [late, ...viewGauges.map((g) => g.gauge)]) gauge.reset();
      newest = report.day;
      day.set(Date.parse(`${report.day}T00:00:00Z`) / 1000);
      for (const { field, gauge } of viewGauges)
        for (const [view, figures] of Object.entries(report.views)) {
          const value = figure(figures, field);
          if (value !== undefined) gauge.set({ view }, value);
        }
      for (const [job, count] of Object.entries(report.late_events.by_job)) late.set({ job }, count);
    },
  };
}
