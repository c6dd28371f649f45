/** Quantiles out of a prom-client histogram (cumulative buckets), per value of one label. */
import type { Histogram } from 'prom-client';

/**
 * The q-quantile per label value, interpolated linearly inside its bucket (as PromQL's
 * histogram_quantile does); Infinity when it falls in the +Inf bucket, null with no observations.
 */
export async function histogramQuantiles(
  histogram: Histogram<string>,
  label: string,
  quantiles: readonly number[],
  where: (labels: Record<string, unknown>) => boolean = () => true,
): Promise<Map<string, (number | null)[]>> {
  const buckets = new Map<string, { le: number; count: number }[]>();
  for (const { metricName, labels, value } of (await histogram.get()).values) {
    if (!metricName?.endsWith('_bucket') || !where(labels)) continue;
    const key = String(labels[label]);
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    buckets.set(key, [...(buckets.get(key) ?? []), { le, count: value }]);
  }
  const result = new Map<string, (number | null)[]>();
  for (const [key, list] of buckets) {
    list.sort((a, b) => a.le - b.le);
    const total = list.at(-1)?.count ?? 0;
    result.set(
      key,
      quantiles.map((q) => (total === 0 ? null : quantileOf(list, q * total))),
    );
  }
  return result;
}

function quantileOf(list: readonly { le: number; count: number }[], rank: number): number {
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of list) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return Infinity;
      const inBucket = count - lowerCount;
      return inBucket === 0 ? le : lowerLe + ((le - lowerLe) * (rank - lowerCount)) / inBucket;
    }
    lowerLe = le;
    lowerCount = count;
  }
  return Infinity;
}
