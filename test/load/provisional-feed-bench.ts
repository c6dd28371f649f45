/**
 * What `serve` spends per provisional message with live subscribers (serving/provisional-feed.ts): the
 * table applying the message, and the merged rows of the cells it changed (what every stream listener
 * gets). The messages are the publisher's, from a job's rounds every `--chunk` records. Not a test: it
 * reports numbers.
 *   taskset -c 1 npx tsx test/load/provisional-feed-bench.ts [--chunk 1000] [--records 80000]
 */
import { JOBS } from '../../src/events/topics.ts';
import { encodeChanges } from '../../src/processor/io/provisional-message.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { ProvisionalTable } from '../../src/processor/query/provisional-table.ts';
import { benchRecords } from './bench-records.ts';
import { flag } from './bench-flags.ts';

const chunk = Number(flag('chunk')) || 1000;
const recordsPerJob = Number(flag('records')) || 80_000;
const WARM_UP_RECORDS = 20_000;
const MESSAGE_BYTES = 256 * 1024;
const ALL = { fromMs: -Infinity, toMs: Infinity };

for (const job of JOBS) {
  const records = benchRecords(job, recordsPerJob);
  const engine = createJobEngine(job);
  engine.trackChanges();
  const table = new ProvisionalTable();
  const ms = { apply: 0, rows: 0 };
  let messages = 0;
  let rows = 0;
  for (let at = 0; at < records.length; at += chunk) {
    engine.process(records.slice(at, at + chunk));
    engine.drainFinal();
    const encoded = engine.drainChanged().flatMap((change) => encodeChanges(job, change, 0, MESSAGE_BYTES));
    for (const bytes of encoded) {
      const startedMs = performance.now();
      const changes = table.applyEncoded(bytes);
      const appliedMs = performance.now();
      if (changes instanceof Error) throw changes;
      for (const { view, cells } of changes) rows += table.rows(view, ALL, -Infinity, cells).length;
      const doneMs = performance.now();
      if (at < WARM_UP_RECORDS) continue; // JIT
      ms.apply += appliedMs - startedMs;
      ms.rows += doneMs - appliedMs;
      messages++;
    }
  }
  const per = (value: number) => (value / messages).toFixed(2).padStart(6);
  console.log(
    `${job.padEnd(22)} per message: apply ${per(ms.apply)} ms, merged rows ${per(ms.rows)} ms ` +
      `(${messages} messages, ${Math.round(rows / messages)} rows each)`,
  );
}
