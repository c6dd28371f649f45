/**
 * The raw archive's conversion per topic, one core, pending lines already in memory (read each line,
 * parse its value, build the archive's columns, encode Parquet): CPU µs per line and input MB per
 * CPU-second. Not a test: it reports numbers.
 *   npx tsx test/load/archive-bench.ts [--lines 100000] [--topic lms.video] [--repeat 3]
 * (pin it to one core: `taskset -c 1 npx tsx ...`). Each topic is converted `--repeat` times after a
 * warm-up; the table gives the min and the median. Lines come from the generator (valid records only,
 * every seventh one `late`), written by the pending-line writer and split as a pending file is.
 */
import { TOPICS, type Topic } from '../../src/events/topics.ts';
import { generateRecords } from '../../src/generator/index.ts';
import { convertArchive } from '../../src/processor/io/archive-conversion.ts';
import { archiveLine } from '../../src/processor/io/archive-line.ts';
import { ndjsonLines } from '../../src/processor/io/ndjson-parts.ts';
import { flag } from './bench-flags.ts';

const linesPerTopic = Number(flag('lines')) || 100_000;
const repeat = Number(flag('repeat')) || 3;
const topics = flag('topic') === undefined ? TOPICS : [flag('topic') as Topic];

function pendingLines(topic: Topic): Uint8Array[] {
  const lines: string[] = [];
  for (const record of generateRecords({ seed: 11, users: 5000, disorderMs: 60_000, topics: [topic] })) {
    if (record.fault !== null || typeof record.value !== 'string') continue;
    lines.push(
      archiveLine({ ...record, value: record.value }, record.offset % 7 === 0 ? 'late' : 'accepted'),
    );
    if (lines.length >= linesPerTopic) break;
  }
  return ndjsonLines(Buffer.from(`${lines.join('\n')}\n`));
}

/** CPU seconds of this process since `start` (all threads, GC included): steadier than wall time. */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function convertSeconds(topic: Topic, lines: readonly Uint8Array[]): { seconds: number; bytes: number } {
  const startCpu = process.cpuUsage();
  const files = convertArchive(`raw/${topic}`, topic, lines);
  const seconds = cpuSeconds(startCpu);
  return { seconds, bytes: files.reduce((sum, file) => sum + file.body.length, 0) };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(
  `${'topic'.padEnd(18)} ${'lines'.padStart(8)} ${'µs/line min'.padStart(12)} ${'median'.padStart(8)} ${'MB/s max'.padStart(9)} ${'median'.padStart(8)} ${'B/line out'.padStart(10)}`,
);
for (const topic of topics) {
  const lines = pendingLines(topic);
  const inputBytes = lines.reduce((sum, line) => sum + line.length + 1, 0);
  convertSeconds(topic, lines.slice(0, Math.min(lines.length, 20_000))); // warm-up (JIT)
  const runs = Array.from({ length: repeat }, () => convertSeconds(topic, lines));
  const micros = runs.map((run) => (run.seconds * 1e6) / lines.length);
  const rates = runs.map((run) => inputBytes / 1e6 / run.seconds);
  console.log(
    `${topic.padEnd(18)} ${String(lines.length).padStart(8)} ${Math.min(...micros)
      .toFixed(2)
      .padStart(12)} ${median(micros).toFixed(2).padStart(8)} ${Math.max(...rates)
      .toFixed(1)
      .padStart(
        9,
      )} ${median(rates).toFixed(1).padStart(8)} ${(runs[0]!.bytes / lines.length).toFixed(1).padStart(10)}`,
  );
}
