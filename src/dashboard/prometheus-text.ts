/**
 * The samples of a Prometheus text exposition (version 0.0.4), as `/metrics` of `speed-layer run`
 * writes them: `name{label="value",…} number`. Comments, HELP and TYPE lines are skipped; what the
 * health panel needs is the counters per job, so no histogram or timestamp handling beyond skipping.
 */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescapeLabel = (text: string): string =>
  text.replace(/\\(["\\n])/g, (_match, c: string) => (c === 'n' ? '\n' : c));

export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line.trim());
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name!] = unescapeLabel(value!);
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples per value of one label (e.g. records read per `job`). */
export function sumBy(samples: readonly MetricSample[], name: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name !== name || !Number.isFinite(sample.value)) continue;
    const key = sample.labels[label] ?? '';
    sums.set(key, (sums.get(key) ?? 0) + sample.value);
  }
  return sums;
}
