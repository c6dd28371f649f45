/**
 * Engine-only throughput per job, one core, records already in memory (decode + validate + acceptance
 * + all views of the job + draining final rows every batch). Not a test: it reports numbers.
 *   npx tsx test/load/engine-bench.ts [--records 400000] [--job video]
 * (pin it to one core: `taskset -c 1 npx tsx ...`). Each line also gives validation alone (JSON.parse +
 * schema checks) on the same records: the ceiling for the engine.
 * `--provisional` also runs each job publishing provisional rows as a runner catching up does
 * (trackChanges; after each 500 records, when the publisher's schedule allows: every 250 ms, spaced out
 * so that taking and encoding the changes is at most 5 % of the time, runner/provisional-publisher.ts)
 * and prints what that costs and how often it published.
 * Records come from the generator (users fixed to partitions, 6 partitions, 60 s disorder, in order of
 * ingestion), limited to each job's topics.
 */
import { JOB_TOPICS, JOBS, type JobName, type Topic } from '../../src/events/topics.ts';
import { validateValue } from '../../src/events/validate.ts';
import type { SourceRecord } from '../../src/events/record.ts';
import { generateRecords } from '../../src/generator/index.ts';
import { encodeProvisional, provisionalMessage } from '../../src/processor/io/provisional-message.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { text } from '../fixtures/record-text.ts';
import { flag } from './bench-flags.ts';

const recordsPerJob = Number(flag('records')) || 400_000;
const jobs = flag('job') === undefined ? JOBS : [flag('job') as JobName];
const provisional = process.argv.includes('--provisional');
const BATCH_SIZE = 10_000;
/** Records between two provisional drains: 250 ms (the default interval) at 10k events/s. */
const PROVISIONAL_CHUNK = 500;
const PROVISIONAL_INTERVAL_MS = 250;
const PROVISIONAL_SHARE = 0.05;

function recordsOf(job: JobName): SourceRecord[] {
  const records: SourceRecord[] = [];
  const generator = generateRecords({ seed: 11, users: 5000, disorderMs: 60_000, topics: JOB_TOPICS[job] });
  for (const record of generator) {
    // As the consumer hands them over: values decoded from bytes (flat strings, not the generator's
    // concatenations, which JSON.parse would first have to flatten).
    records.push({ ...record, value: Buffer.from(text(record.value), 'utf8').toString('utf8') });
    if (records.length >= recordsPerJob) break;
  }
  return records;
}

/**
 * CPU seconds of this process since `start` (all its threads, GC included): on a shared machine this
 * is steadier than wall time, and equal to it when the process has its core to itself.
 */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function benchEngine(
  job: JobName,
  records: readonly SourceRecord[],
  withProvisional = false,
): { seconds: number; accepted: number; rows: number; bytes: number; drains: number } {
  // Validation converts event_time in place on a parsed copy; the values stay strings, so runs are independent.
  const engine = createJobEngine(job);
  if (withProvisional) engine.trackChanges();
  const startCpu = process.cpuUsage();
  // With --provisional both runs take the same chunks, so the difference is the provisional work alone.
  const size = provisional ? PROVISIONAL_CHUNK : BATCH_SIZE;
  let accepted = 0;
  let rows = 0;
  let bytes = 0;
  let drains = 0;
  let nextMs = -Infinity;
  for (let at = 0; at < records.length; at += size) {
    accepted += engine.process(records.slice(at, at + size)).accepted;
    if (withProvisional && performance.now() >= nextMs) {
      const startedMs = performance.now();
      for (const change of engine.drainChanged())
        bytes += encodeProvisional(provisionalMessage(job, change, 0)).length;
      const costMs = performance.now() - startedMs;
      nextMs =
        startedMs +
        costMs +
        Math.max(PROVISIONAL_INTERVAL_MS, (costMs * (1 - PROVISIONAL_SHARE)) / PROVISIONAL_SHARE);
      drains++;
    }
    if ((at + size) % BATCH_SIZE === 0)
      for (const viewRows of engine.drainFinal().values()) rows += viewRows.length;
  }
  engine.endOfInput();
  for (const viewRows of engine.drainFinal().values()) rows += viewRows.length;
  return { seconds: cpuSeconds(startCpu), accepted, rows, bytes, drains };
}

/** The ceiling the engine cannot beat: JSON.parse + schema checks of every record, nothing else. */
function validateOnlySeconds(records: readonly SourceRecord[]): number {
  const startCpu = process.cpuUsage();
  let valid = 0;
  for (const record of records)
    if (validateValue(record.topic as Topic, record.key, record.value).ok) valid++;
  if (valid < 0) console.log(valid); // keeps the loop from being optimised away
  return cpuSeconds(startCpu);
}

const rate = (count: number, seconds: number): string =>
  Math.round(count / seconds)
    .toLocaleString('en-US')
    .padStart(10);

for (const job of jobs) {
  const records = recordsOf(job);
  benchEngine(job, records.slice(0, Math.min(records.length, 50_000))); // warm-up (JIT)
  validateOnlySeconds(records.slice(0, Math.min(records.length, 50_000)));
  const { seconds, accepted, rows } = benchEngine(job, records);
  const validateSeconds = validateOnlySeconds(records);
  console.log(
    `${job.padEnd(22)} ${rate(records.length, seconds)} records per CPU-second  (${records.length} records, ${accepted} accepted, ${rows} rows, ${seconds.toFixed(2)} CPU s; validation alone ${rate(records.length, validateSeconds).trim()}/CPU-s)`,
  );
  if (!provisional) continue;
  benchEngine(job, records.slice(0, Math.min(records.length, 50_000)), true); // warm-up
  const withRows = benchEngine(job, records, true);
  const costPercent = (100 * (withRows.seconds - seconds)) / seconds;
  console.log(
    `${''.padEnd(22)} ${rate(records.length, withRows.seconds)} with provisional rows: ${costPercent.toFixed(1)} % more CPU, ${withRows.drains} rounds (one per ${Math.round(records.length / withRows.drains)} records), ${Math.round(withRows.bytes / records.length)} message bytes per record`,
  );
}
