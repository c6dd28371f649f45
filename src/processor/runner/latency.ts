/**
 * Processing latency (record timestamp → the commit that covers it), collected per record at 10 ms
 * resolution between commits and observed into the Prometheus histogram at commit time; a cumulative
 * copy answers exact-to-10-ms quantiles for benchmarks and logs.
 */
import type { Histogram } from 'prom-client';

const RESOLUTION_MS = 10;

/** Records of a started commit: record timestamp (10 ms bucket) → count. */
export type PendingLatencies = ReadonlyMap<number, number>;

export class LatencyRecorder {
  /** Record timestamp (10 ms bucket) → records waiting for the next commit. */
  private pending = new Map<number, number>();
  /** Latency (10 ms bucket) → records, since start. */
  private readonly total = new Map<number, number>();
  private totalCount = 0;

  add(timestampMs: number): void {
    const bucket = Math.floor(timestampMs / RESOLUTION_MS);
    this.pending.set(bucket, (this.pending.get(bucket) ?? 0) + 1);
  }

  /** Forgets records of an uncommitted attempt (reset after a failed commit). */
  discard(): void {
    this.pending = new Map();
  }

  /** The records of a commit being started; later ones wait for the next commit. */
  seal(): PendingLatencies {
    const sealed = this.pending;
    this.pending = new Map();
    return sealed;
  }

  /** Observes the records of a sealed commit as committed at `commitMs`. */
  committed(sealed: PendingLatencies, commitMs: number, histogram: Histogram<'job'>, job: string): void {
    const child = histogram.labels(job);
    for (const [bucket, count] of sealed) {
      const latencyMs = Math.max(0, commitMs - bucket * RESOLUTION_MS);
      const seconds = latencyMs / 1000;
      for (let i = 0; i < count; i++) child.observe(seconds);
      const latencyBucket = Math.floor(latencyMs / RESOLUTION_MS);
      this.total.set(latencyBucket, (this.total.get(latencyBucket) ?? 0) + count);
      this.totalCount += count;
    }
  }

  /** The q-quantile (0..1) of all committed latencies in ms, or null before the first. */
  quantileMs(q: number): number | null {
    if (this.totalCount === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.totalCount));
    let seen = 0;
    for (const bucket of [...this.total.keys()].sort((a, b) => a - b)) {
      seen += this.total.get(bucket)!;
      if (seen >= rank) return (bucket + 1) * RESOLUTION_MS;
    }
    return null;
  }

  get count(): number {
    return this.totalCount;
  }
}
