/**
 * How much simulated time a bounded run covers, so a Kafka backfill can start at now minus that span
 * and end about now (never ahead of the broker's clock). A dry run: cheap next to producing to Kafka.
 */
import { generateRecords } from './generate-records.ts';
import type { GeneratorOptions } from './options.ts';

export function simulatedSpanMs(options: Partial<GeneratorOptions>): number {
  if (options.events === undefined && options.durationMs !== undefined) return options.durationMs;
  if (options.events === undefined) throw new Error('simulatedSpanMs: an unbounded run has no span');
  let firstMs = NaN;
  let lastMs = NaN;
  for (const record of generateRecords({ ...options, startTimeMs: 0, wallClockMs: undefined })) {
    if (Number.isNaN(firstMs)) firstMs = record.timestamp;
    lastMs = record.timestamp;
  }
  return Number.isNaN(firstMs) ? 0 : lastMs - firstMs;
}
