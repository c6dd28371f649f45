/**
 * Drives a run: pulls records from `generateRecords`, batches them into the sink, and in Kafka runs
 * holds them to the wall clock — never a record whose simulated ingestion time is still in the future
 * (the broker would stamp it earlier than its event time), and at most `ratePerS` records per second.
 */
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { generateRecords, type GeneratedRecord } from './generate-records.ts';
import type { GeneratorOptions } from './options.ts';
import type { Progress } from './progress.ts';
import type { RecordSink } from './sinks/record-sink.ts';
import { GenerationSummary } from './summary.ts';
import { TokenBucket } from './token-bucket.ts';

export interface RunSettings {
  options: Partial<GeneratorOptions>;
  sink: RecordSink;
  /** Records per second on the wall clock; undefined = as fast as possible. */
  ratePerS?: number;
  /** Stop after this much wall time (live runs, where simulated time follows the wall clock). */
  wallDurationMs?: number;
  /** Kafka runs: never emit a record before the wall clock has reached its simulated ingestion time. */
  holdToWallClock: boolean;
  progress: Progress;
  /** Injectable for tests. */
  wallClockMs?: () => number;
}

const FAST_BATCH = 4096;
/** Unthrottled file runs still let timers (the progress bar) run this often. */
const YIELD_EVERY_MS = 100;

export interface RunResult {
  summary: GenerationSummary;
  /** From the first record to the last one durable in the sink: what the achieved rate is measured over. */
  elapsedMs: number;
  /** Building the simulated world before the first record. */
  setupMs: number;
}

export async function runGenerator(settings: RunSettings): Promise<RunResult> {
  const { sink, ratePerS, progress, holdToWallClock } = settings;
  const wallClockMs = settings.wallClockMs ?? Date.now;
  const summary = new GenerationSummary();
  // Small batches at a set rate keep the flow smooth (50 per second); large ones when unthrottled.
  const batchSize =
    ratePerS === undefined ? FAST_BATCH : Math.max(1, Math.min(FAST_BATCH, Math.round(ratePerS / 50)));
  const bucket =
    ratePerS === undefined ? null : new TokenBucket(ratePerS, Math.max(batchSize, ratePerS / 10));
  const setupStartMs = performance.now();
  let startMs = NaN;
  let endMs = Infinity;
  let batch: GeneratedRecord[] = [];
  let lastYieldMs = setupStartMs;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    if (bucket !== null) await bucket.take(batch.length);
    await sink.write(batch);
    for (const record of batch) summary.add(record);
    progress.update(summary.records);
    batch = [];
    if (performance.now() - lastYieldMs >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYieldMs = performance.now();
    }
  };

  for (const record of generateRecords(settings.options)) {
    if (Number.isNaN(startMs)) {
      startMs = performance.now();
      if (settings.wallDurationMs !== undefined) endMs = startMs + settings.wallDurationMs;
    }
    if (holdToWallClock) {
      const aheadMs = record.timestamp - wallClockMs();
      if (aheadMs > 0) {
        await flush();
        await sleep(aheadMs);
      }
    }
    batch.push(record);
    if (batch.length >= batchSize) {
      await flush();
      if (performance.now() >= endMs) break;
    }
  }
  await flush();
  await sink.close();
  progress.stop();
  const doneMs = performance.now();
  if (Number.isNaN(startMs)) startMs = doneMs;
  return { summary, elapsedMs: doneMs - startMs, setupMs: startMs - setupStartMs };
}
