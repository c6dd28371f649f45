import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRecordLine } from '../../src/events/index.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { FAULT_KINDS, type GeneratorOptions } from '../../src/generator/options.ts';
import { createProgress } from '../../src/generator/progress.ts';
import { runGenerator } from '../../src/generator/run-generator.ts';
import { FileSink } from '../../src/generator/sinks/file-sink.ts';
import { text } from '../fixtures/record-text.ts';
import { tempDir } from '../unit/temp-dir.ts';

const fraction = fc.double({ min: 0, max: 0.15, noNaN: true });
const optionsArbitrary = fc.record({
  seed: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  events: fc.integer({ min: 200, max: 4000 }),
  users: fc.integer({ min: 1, max: 300 }),
  courses: fc.integer({ min: 1, max: 30 }),
  partitions: fc.integer({ min: 1, max: 12 }),
  disorderMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 600_000 })),
  faults: fc.record({ late: fraction, duplicate: fraction, invalid: fraction, future: fraction }),
});

function eventTimeOf(value: string): number {
  return Date.parse((JSON.parse(value) as { event_time: string }).event_time);
}

describe('generator laws', () => {
  it('produces byte-identical records for the same options', () => {
    fc.assert(
      fc.property(optionsArbitrary, (options) => {
        const first = [...generateRecords(options)].map(formatRecordLine).join('\n');
        const second = [...generateRecords(options)].map(formatRecordLine).join('\n');
        expect(second).toBe(first);
      }),
      { numRuns: 25 },
    );
  });

  it('writes byte-identical record files for the same seed and flags', async () => {
    const dir = tempDir('generator-determinism-');
    await fc.assert(
      fc.asyncProperty(optionsArbitrary, fc.integer({ min: 0, max: 1_000_000 }), async (options, run) => {
        const paths = [join(dir, `${run}-a.ndjson`), join(dir, `${run}-b.ndjson`)];
        for (const path of paths) {
          await runGenerator({
            options,
            sink: new FileSink(path),
            holdToWallClock: false,
            progress: createProgress(undefined, false),
          });
        }
        const [a, b] = paths.map((path) => readFileSync(path));
        expect(a!.length).toBeGreaterThan(0);
        expect(b!.equals(a!)).toBe(true);
      }),
      { numRuns: 5 },
    );
  });

  it('realises each fault fraction within five standard deviations of the request', () => {
    fc.assert(
      fc.property(optionsArbitrary, (options: Partial<GeneratorOptions> & { events: number }) => {
        const counts = { late: 0, duplicate: 0, invalid: 0, future: 0 };
        let total = 0;
        for (const record of generateRecords(options)) {
          total++;
          if (record.fault !== null) counts[record.fault]++;
        }
        expect(total).toBe(options.events);
        for (const kind of FAULT_KINDS) {
          const p = options.faults![kind];
          const toleranceCount = 5 * Math.sqrt(total * p * (1 - p)) + 3;
          expect(
            Math.abs(counts[kind] - p * total),
            `${kind}: ${counts[kind]} of ${total} for p=${p}`,
          ).toBeLessThanOrEqual(toleranceCount);
        }
      }),
      { numRuns: 30 },
    );
  });

  // The guarantee: over all records that are not injected faults (so in particular per user), in record
  // order, an event's time is never more than disorderMs older than the time of any earlier such event,
  // and each record's timestamp (ingestion time) lies in [event_time, event_time + disorderMs].
  it('keeps the event times of non-fault records within disorderMs of record order', () => {
    fc.assert(
      fc.property(optionsArbitrary, (options) => {
        let maxEarlierMs = -Infinity;
        const maxEarlierPerUserMs = new Map<string, number>();
        for (const record of generateRecords(options)) {
          if (record.fault !== null) continue;
          const eventMs = eventTimeOf(text(record.value));
          expect(eventMs).toBeGreaterThanOrEqual(maxEarlierMs - options.disorderMs);
          expect(eventMs).toBeGreaterThanOrEqual(
            (maxEarlierPerUserMs.get(record.key) ?? -Infinity) - options.disorderMs,
          );
          expect(record.timestamp - eventMs).toBeGreaterThanOrEqual(0);
          expect(record.timestamp - eventMs).toBeLessThanOrEqual(options.disorderMs);
          maxEarlierMs = Math.max(maxEarlierMs, eventMs);
          maxEarlierPerUserMs.set(
            record.key,
            Math.max(maxEarlierPerUserMs.get(record.key) ?? -Infinity, eventMs),
          );
        }
      }),
      { numRuns: 30 },
    );
  });

  it('puts records in event-time order when disorder is 0', () => {
    fc.assert(
      fc.property(optionsArbitrary, (options) => {
        let lastMs = -Infinity;
        for (const record of generateRecords({ ...options, disorderMs: 0 })) {
          if (record.fault !== null) continue;
          const eventMs = eventTimeOf(text(record.value));
          expect(eventMs).toBeGreaterThanOrEqual(lastMs);
          lastMs = eventMs;
        }
      }),
      { numRuns: 20 },
    );
  });
});
