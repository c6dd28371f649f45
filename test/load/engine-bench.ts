/**
 * Engine-only throughput per job, one core, records already in memory (decode + validate + acceptance
 * + all views of the job + draining final rows every batch). Not a test: it reports numbers.
 *   npx tsx test/load/engine-bench.ts [--records 400000] [--job video]
 * (pin it to one core: `taskset -c 1 npx tsx ...`). Each line also gives validation alone (JSON.parse +
 * schema checks) on the same records: the ceiling for the engine.
 * Records come from the generator (users fixed to partitions, 6 partitions, 60 s disorder, in order of
 * ingestion), limited to each job's topics.
 */
import { JOB_TOPICS, JOBS, type JobName, type Topic } from '../../src/events/topics.ts';
import { validateValue } from '../../src/events/validate.ts';
import type { SourceRecord } from '../../src/events/record.ts';
import { generateRecords } from '../../src/generator/index.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { text } from '../fixtures/record-text.ts';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

const recordsPerJob = Number(flag('records')) || 400_000;
const jobs = flag('job') === undefined ? JOBS : [flag('job') as JobName];
const BATCH_SIZE = 10_000;

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
): { seconds: number; accepted: number; rows: number } {
  // Validation converts event_time in place on a parsed copy; the values stay strings, so runs are independent.
  const engine = createJobEngine(job);
  const startCpu = process.cpuUsage();
  let accepted = 0;
  let rows = 0;
  for (let at = 0; at < records.length; at += BATCH_SIZE) {
    accepted += engine.process(records.slice(at, at + BATCH_SIZE)).accepted;
    for (const viewRows of engine.drainFinal().values()) rows += viewRows.length;
  }
  engine.endOfInput();
  for (const viewRows of engine.drainFinal().values()) rows += viewRows.length;
  return { seconds: cpuSeconds(startCpu), accepted, rows };
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
}
