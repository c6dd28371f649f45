import { afterEach, describe, expect, it } from 'vitest';
import { createReconcileMetrics } from '../../src/batch/reconcile-metrics.ts';
import type { ReconciliationReport, ViewReconciliation } from '../../src/batch/reconcile-report.ts';
import { serveBatchMetrics, type MetricsEndpoint } from '../../src/cli/batch-metrics-server.ts';

function figures(equal: number, differing: number, onlyBatch: number, onlySpeed: number): ViewReconciliation {
  return {
    job: 'auth',
    batch_rows: equal + differing + onlyBatch,
    speed_rows: equal + differing + onlySpeed,
    equal,
    differing,
    only_batch: onlyBatch,
    only_speed: onlySpeed,
    late_events: 0,
    batch_table_version: 0,
    speed_table_version: 0,
    largest_differences: [],
    only_batch_keys: [],
    only_speed_keys: [],
  };
}

function report(
  day: string,
  views: Record<string, ViewReconciliation>,
  lateAuth: number,
): ReconciliationReport {
  return {
    format: 1,
    day,
    reconciled_at: `${day}T03:00:00.000Z`,
    double_tolerance: 1e-9,
    late_events: { total: lateAuth, by_topic: { 'lms.auth': lateAuth }, by_job: { auth: lateAuth } },
    views,
  };
}

/** The samples of the reconciliation gauges, one `name{labels} value` line each. */
function samples(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('speed_layer_speed_batch_'));
}

let endpoint: MetricsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe('the reconciliation gauges', () => {
  it('show the newest reconciled day on /metrics (127.0.0.1, any free port)', async () => {
    const metrics = createReconcileMetrics();
    endpoint = await serveBatchMetrics(0, metrics.registry, () => true);
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    metrics.record(report('2025-01-07', { v1: figures(5, 2, 1, 0), v2: figures(3, 0, 0, 1) }, 4));
    // An older day reconciled later (recomputed after late records) leaves the gauges alone.
    metrics.record(report('2025-01-06', { v1: figures(9, 9, 9, 9) }, 9));
    // The same day again, one view recomputed: that view changes, the other stays.
    metrics.record(report('2025-01-07', { v2: figures(4, 0, 0, 0) }, 4));

    const response = await fetch(`${endpoint.url}/metrics`);

    expect(response.status).toBe(200);
    expect(samples(await response.text())).toEqual([
      'speed_layer_speed_batch_rows_differing{view="v1"} 2',
      'speed_layer_speed_batch_rows_differing{view="v2"} 0',
      'speed_layer_speed_batch_rows_only_batch{view="v1"} 1',
      'speed_layer_speed_batch_rows_only_batch{view="v2"} 0',
      'speed_layer_speed_batch_rows_only_speed{view="v1"} 0',
      'speed_layer_speed_batch_rows_only_speed{view="v2"} 0',
      'speed_layer_speed_batch_rows_equal{view="v1"} 5',
      'speed_layer_speed_batch_rows_equal{view="v2"} 4',
      'speed_layer_speed_batch_late_events{job="auth"} 4',
      `speed_layer_speed_batch_reconciled_day_timestamp_seconds ${Date.UTC(2025, 0, 7) / 1000}`,
    ]);
  });

  it('start afresh with a newer day', async () => {
    const metrics = createReconcileMetrics();
    metrics.record(report('2025-01-07', { v1: figures(5, 2, 1, 0), v2: figures(3, 0, 0, 1) }, 4));

    metrics.record(report('2025-01-08', { v1: figures(7, 0, 0, 0) }, 0));

    expect(samples(await metrics.registry.metrics())).toEqual([
      'speed_layer_speed_batch_rows_differing{view="v1"} 0',
      'speed_layer_speed_batch_rows_only_batch{view="v1"} 0',
      'speed_layer_speed_batch_rows_only_speed{view="v1"} 0',
      'speed_layer_speed_batch_rows_equal{view="v1"} 7',
      'speed_layer_speed_batch_late_events{job="auth"} 0',
      `speed_layer_speed_batch_reconciled_day_timestamp_seconds ${Date.UTC(2025, 0, 8) / 1000}`,
    ]);
  });
});
