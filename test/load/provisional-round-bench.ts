/**
 * What one provisional round costs a job, split: the engine taking the changed cells (drainChanged),
 * and encoding them as messages, the old way (the message object, then JSON, then split when over
 * 256 KiB) and the publisher's (encodeChanges: JSON straight from the engine's maps, split in the same
 * pass). Not a test: it reports numbers. A round every `--chunk` records (default 1,000: about 250 ms of
 * a job's input at 10,000 events/s over all topics, more for video).
 *   taskset -c 1 npx tsx test/load/provisional-round-bench.ts [--chunk 1000] [--records 80000]
 */
import { JOBS } from '../../src/events/topics.ts';
import {
  encodeChanges,
  encodeProvisionalParts,
  provisionalMessage,
} from '../../src/processor/io/provisional-message.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { benchRecords } from './bench-records.ts';
import { flag } from './bench-flags.ts';

const chunk = Number(flag('chunk')) || 1000;
const recordsPerJob = Number(flag('records')) || 80_000;
const WARM_UP_RECORDS = 20_000;
const MESSAGE_BYTES = 256 * 1024;

for (const job of JOBS) {
  const records = benchRecords(job, recordsPerJob);
  const engine = createJobEngine(job);
  engine.trackChanges();
  const ms = { take: 0, before: 0, after: 0 };
  let rounds = 0;
  let bytes = 0;
  for (let at = 0; at < records.length; at += chunk) {
    engine.process(records.slice(at, at + chunk));
    engine.drainFinal();
    const startedMs = performance.now();
    const changes = engine.drainChanged();
    const takenMs = performance.now();
    for (const change of changes) encodeProvisionalParts(provisionalMessage(job, change, 0), MESSAGE_BYTES);
    const beforeMs = performance.now();
    for (const change of changes)
      for (const part of encodeChanges(job, change, 0, MESSAGE_BYTES)) bytes += part.length;
    const afterMs = performance.now();
    if (at < WARM_UP_RECORDS) continue; // JIT
    ms.take += takenMs - startedMs;
    ms.before += beforeMs - takenMs;
    ms.after += afterMs - beforeMs;
    rounds++;
  }
  const per = (value: number) => (value / rounds).toFixed(1).padStart(5);
  const round = (encodeMs: number) => per(ms.take + encodeMs);
  console.log(
    `${job.padEnd(22)} per round: take ${per(ms.take)} ms; encode before ${per(ms.before)} ms, now ${per(ms.after)} ms; ` +
      `round before ${round(ms.before)} ms, now ${round(ms.after)} ms (${Math.round(bytes / rounds)} B)`,
  );
}
