/** Scenario 3's tables, results file and summary checks. */
import { DRAIN_LIMIT_S, LAG_BOUND_S, MIN_RATE_FRACTION, type KeepUp } from './keep-up.ts';
import type { Check, ScenarioResult } from './load-context.ts';
import type { LoadParams } from './load-params.ts';
import type { OracleCheck } from './oracle-check.ts';
import { printTable, writeResults, type Cell } from './report.ts';
import { round, type ResourceUsage } from './resource-meter.ts';
import type { StoreOperation } from './counting-store.ts';
import type { RecordTreeFiles, ViewFiles } from './file-stats.ts';
import type { SseResult } from './sse-clients.ts';
import type { FreshnessMs } from './provisional-probe.ts';
import { STAGES } from './freshness-breakdown.ts';

export interface Sample {
  atS: number;
  generated: number;
  lag: number;
  rssMiB: number;
  generatorRssMiB: number;
  /** The jobs' process: the longest event-loop delay in the second before. */
  loopMaxMs: number;
}

export interface SustainedMeasures {
  /** Generator records / its whole run (including the simulation's start-up). */
  achievedPerS: number;
  verdict: KeepUp;
  samples: Sample[];
  resources: ResourceUsage;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Quantile → job → ms (the runner's exact-to-10-ms recorder). */
  processingMs: Record<number, Record<string, number | null>>;
  /** Job → [p50, p95, p99] s (the runner's histogram, interpolated). */
  finalityS: Map<string, (number | null)[]>;
  /** Files published per view: partials tree (the old layout's view files) and views tree. */
  files: ViewFiles[];
  /** The raw archive's and the dead letters' gathered files, by topic. */
  recordFiles: RecordTreeFiles[];
  /** Topic → records archived (accepted + late). */
  archived: Map<string, number>;
  records: Map<string, number>;
  check: OracleCheck;
  requests: StoreRequests;
  /** Record timestamp → provisional value answerable by serve, per message read; null when off. */
  provisionalFreshnessMs: FreshnessMs | null;
  /** SSE subscribers of a serve beside the jobs (load --sse N); null without. */
  sse: SseResult | null;
  /** The serve side's own event-loop delay when it ran apart (load --serve-apart); null beside the jobs. */
  serveLoopDelayMs: { p99: number; max: number } | null;
}

/** Object-store requests per minute by operation: while the input ran, and once it had stopped. */
export interface StoreRequests {
  live: Record<StoreOperation | 'total', number>;
  idle: Record<StoreOperation | 'total', number>;
}

function seconds(value: number | null | undefined, scale = 1): Cell {
  if (value === null || value === undefined) return null;
  return Number.isFinite(value) ? round(value * scale, 2) : '> 300';
}

/** Provisional freshness by stage and by job (nothing when provisional rows were off). */
export function printFreshness(freshness: FreshnessMs | null): void {
  const breakdown = freshness?.breakdown;
  if (!breakdown) return;
  printTable(
    'Scenario 3 — sustained: provisional freshness by stage, ms (record → job took it → produced → ' +
      `read → answerable; round gap: since the partition's previous message; tail: the ${breakdown.tail.messages} ` +
      `messages at or above the p99, ${Math.round(breakdown.tail.lateReadShare * 100)} % of them taken more ` +
      'than a round gap after the record)',
    ['stage', 'p50', 'p99', 'tail median'],
    STAGES.map((stage) => [stage, ...breakdown.quantilesMs[stage], breakdown.tail.medianMs[stage]]),
  );
  printTable(
    'Scenario 3 — sustained: provisional freshness by job, ms',
    ['job', 'messages', 'p50', 'p99'],
    Object.entries(breakdown.byJob).map(([job, { messages, p50, p99 }]) => [job, messages, p50, p99]),
  );
  const seconds = breakdown.tail.busiestSeconds.map(([second, messages]) => `${second} s: ${messages}`);
  console.log(
    `provisional freshness tail, messages by second of their records since the first: ${seconds.join(', ')}`,
  );
  const { secondHalf } = breakdown;
  console.log(
    `provisional freshness, records of the second half: p50 ${secondHalf.p50} / p99 ${secondHalf.p99} ms (${secondHalf.messages} messages)\n`,
  );
}

export async function reportSustained(params: LoadParams, m: SustainedMeasures): Promise<ScenarioResult> {
  const { verdict, check } = m;
  printTable(
    `Scenario 3 — sustained (${params.ratePerS.toLocaleString('en-US')} events/s target, ${params.durationMs / 1000} s): ` +
      'latency in s (proc: exact to 10 ms; complete: window end + D → complete row visible, histogram, interpolated)',
    ['job', 'records', 'proc p50', 'proc p95', 'proc p99', 'complete p50', 'complete p95', 'complete p99'],
    params.jobs.map((job) => [
      job,
      m.records.get(job) ?? 0,
      ...[0.5, 0.95, 0.99].map((q) => seconds(m.processingMs[q]![job], 1 / 1000)),
      ...(m.finalityS.get(job) ?? [null, null, null]).map((value) => seconds(value)),
    ]),
  );
  const perHour = (files: number, span: number | null): Cell => (span ? Math.round(files / span) : null);
  const bytes = (value: number | null): Cell => (value === null ? null : Math.round(value));
  printTable(
    'Scenario 3 — sustained: files per view per hour of event time (partials: one per commit with final ' +
      'rows, what the views tree held before it held complete rows only; views: complete rows; median size ' +
      'interpolated in ×2 buckets)',
    ['view', 'event h', 'partials/h', 'partials median B', 'views/h', 'views median B'],
    m.files.map(({ view, spanHours, partials, views }) => [
      view,
      spanHours === null ? null : round(spanHours, 2),
      perHour(partials.files, spanHours),
      bytes(partials.medianBytes),
      perHour(views.files, spanHours),
      bytes(views.medianBytes),
    ]),
  );
  printTable(
    'Scenario 3 — sustained: the record trees as completions gathered them (raw archive: bytes per ' +
      'archived event = its files over accepted + late records)',
    ['tree', 'topic', 'files', 'median B', 'total MB', 'B/event'],
    m.recordFiles.map(({ tree, topic, files }) => {
      const events = tree === 'raw' ? (m.archived.get(topic) ?? 0) : 0;
      return [
        tree,
        topic,
        files.files,
        bytes(files.medianBytes),
        round(files.totalBytes / 1_048_576, 1),
        events > 0 ? round(files.totalBytes / events, 1) : null,
      ];
    }),
  );
  const operations = Object.keys(m.requests.live) as (StoreOperation | 'total')[];
  printTable(
    'Scenario 3 — sustained: object-store requests per minute (all jobs; a list counts once, a delete per ' +
      'key), while the input ran and after it stopped (the idle rule closing the last windows)',
    ['phase', ...operations],
    (['live', 'idle'] as const).map((phase) => [
      phase === 'live' ? `input at ${params.ratePerS}/s` : 'input stopped',
      ...operations.map((operation) => m.requests[phase]?.[operation] ?? null),
    ]),
  );
  printFreshness(m.provisionalFreshnessMs);
  const rss = m.samples.map((sample) => sample.rssMiB);
  const rssMiB = { first: rss[0] ?? null, max: Math.max(0, ...rss), last: rss.at(-1) ?? null };
  printTable(
    'Scenario 3 — sustained: keeping up',
    ['measure', 'value'],
    [
      ['generator events/s, whole run', m.achievedPerS],
      ['generator events/s, second half', verdict.steadyPerS],
      ['lag p90 / max, second half (records)', `${verdict.lagP90SecondHalf} / ${verdict.lagMaxSecondHalf}`],
      [`lag bound (${LAG_BOUND_S} s of input)`, verdict.lagBound],
      ['drain after stop (s)', verdict.drainS],
      [
        'event-loop delay p50 / p99 / max (ms)',
        `${m.eventLoopDelayMs.p50} / ${m.eventLoopDelayMs.p99} / ${m.eventLoopDelayMs.max}`,
      ],
      ...(m.serveLoopDelayMs === null
        ? []
        : [
            [
              'event-loop delay p99 / max, serve side apart (ms)',
              `${m.serveLoopDelayMs.p99} / ${m.serveLoopDelayMs.max}`,
            ] as [string, Cell],
          ]),
      ['RSS first / max / last (MiB)', `${rssMiB.first} / ${rssMiB.max} / ${rssMiB.last}`],
      ['cpu cores (jobs process) / stack cpu s', `${m.resources.cores} / ${m.resources.stackCpuS}`],
      ['final rows == oracle', `${check.ok} (${check.expectedRows} rows)`],
      [
        'provisional freshness p50 / p99 ms (messages)',
        m.provisionalFreshnessMs === null
          ? 'off'
          : `${m.provisionalFreshnessMs.p50} / ${m.provisionalFreshnessMs.p99} (${m.provisionalFreshnessMs.messages})`,
      ],
      ...(m.sse === null
        ? []
        : [
            [
              `SSE, ${m.sse.subscribers} subscribers: provisional events, take → received p50 / p99 ms`,
              `${m.sse.provisionalEvents} events, ${m.sse.provisionalP50Ms ?? '–'} / ${m.sse.provisionalP99Ms ?? '–'}`,
            ] as [string, Cell],
            [
              'SSE: finals (in order), subscribers dropped',
              `${m.sse.finals} (${m.sse.inOrder ? 'yes' : 'NO'}), ${m.sse.dropped}`,
            ] as [string, Cell],
          ]),
      ['keeps up', verdict.keepsUp],
    ],
  );
  const { samples, ...rest } = m;
  const resultsFile = await writeResults(params, 'sustained', {
    ...rest,
    finalityS: Object.fromEntries(m.finalityS),
    files: m.files,
    archived: Object.fromEntries(m.archived),
    records: Object.fromEntries(m.records),
    rssMiB,
    samples,
  });
  const checks: Check[] = [
    {
      scenario: 'sustained',
      what: `rows final by stop + 1 min == oracle (${check.expectedRows} rows)`,
      value: check.ok ? 'equal' : 'DIFFERENT',
      kind: 'correctness',
      pass: check.ok,
    },
    {
      scenario: 'sustained',
      what:
        `keeps up with ${params.ratePerS} events/s (steady rate ≥ ${MIN_RATE_FRACTION * 100} %, ` +
        `lag ≤ ${LAG_BOUND_S} s of input, drains ≤ ${DRAIN_LIMIT_S} s)`,
      value: `${verdict.steadyPerS}/s, lag max ${verdict.lagMaxSecondHalf}, drain ${verdict.drainS} s`,
      kind: params.ratePerS >= params.targetRatePerS ? 'target' : 'info',
      pass: verdict.keepsUp,
    },
  ];
  if (m.sse !== null)
    checks.push({
      scenario: 'sustained',
      // A subscriber more than 1 MiB behind is dropped by design; the count is reported, not judged.
      what: `SSE: finals arrived in order at ${m.sse.subscribers} subscribers`,
      value: `${m.sse.finals} finals, ${m.sse.dropped} subscribers dropped`,
      kind: 'correctness',
      pass: m.sse.inOrder && m.sse.finals > 0,
    });
  return { checks, resultsFile };
}
