/**
 * What a job's commits encode each second at steady state: one snapshot of every partition per second
 * of record time, incremental (ids and view deltas since the previous one) except every 60th, which is
 * whole. Records come from the generator with the population of a 10,000 events/s world (222,222 users
 * by default), in ingestion order, and are measured once 400 s of record time (`--warm-up`) have built
 * the open state (video and course pass that after 300,000 records only with more records or less warm-up).
 * Not a test: it reports numbers.
 *   taskset -c 1 npx tsx test/load/snapshot-delta-bench.ts [--job auth] [--users 222222] [--records 300000] [--warm-up 400]
 */
import type { SourceRecord } from '../../src/events/record.ts';
import { JOB_TOPICS, JOBS, type JobName } from '../../src/events/topics.ts';
import { generateRecords } from '../../src/generator/index.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { text } from '../fixtures/record-text.ts';
import { flag } from './bench-flags.ts';

const users = Number(flag('users')) || 222_222;
const recordsPerJob = Number(flag('records')) || 300_000;
const jobs = flag('job') === undefined ? JOBS : [flag('job') as JobName];
const warmUpMs = (Number(flag('warm-up')) || 400) * 1000;
const WHOLE_EVERY = 60;

for (const job of jobs) {
  const records: SourceRecord[] = [];
  for (const record of generateRecords({ seed: 11, users, disorderMs: 20_000, topics: JOB_TOPICS[job] })) {
    records.push({ ...record, value: text(record.value) });
    if (records.length >= recordsPerJob) break;
  }
  const engine = createJobEngine(job);
  const firstMs = records[0]!.timestamp;
  const delta = { ms: 0, bytes: 0 };
  const whole = { ms: 0, bytes: 0, count: 0 };
  let seconds = 0;
  let at = 0;
  for (let commit = 0, untilMs = firstMs + 1000; at < records.length; commit++, untilMs += 1000) {
    let end = at;
    while (end < records.length && records[end]!.timestamp < untilMs) end++;
    if (end > at) engine.process(records.slice(at, end));
    engine.drainFinal();
    at = end;
    const measured = untilMs - firstMs > warmUpMs;
    let wholeCommit = false;
    for (const { topic, partition } of engine.watermarks()) {
      const incremental = engine.canSnapshotIncrementally(topic, partition) && commit % WHOLE_EVERY !== 0;
      const startedMs = performance.now();
      const encoded = engine.encodePartition(topic, partition, incremental)!;
      const ms = performance.now() - startedMs;
      engine.partitionCommitted(topic, partition, encoded.mark);
      if (!measured) continue;
      const into = incremental ? delta : whole;
      into.ms += ms;
      into.bytes += encoded.bytes.length;
      wholeCommit ||= !incremental;
    }
    if (measured) seconds++;
    if (measured && wholeCommit) whole.count++;
  }
  const kib = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
  const per = (total: number, count: number) => (count === 0 ? NaN : total / count);
  console.log(
    `${job.padEnd(22)} ${seconds} s measured: deltas per second ${per(delta.ms, seconds).toFixed(1)} ms, ` +
      `${kib(per(delta.bytes, seconds))}; a whole commit ${per(whole.ms, whole.count).toFixed(0)} ms, ` +
      `${kib(per(whole.bytes, whole.count))} (${whole.count} taken)`,
  );
}
