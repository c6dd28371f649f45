/**
 * The sustained scenario's generator in its own process (as a real producer would be; in the jobs'
 * process it would share their event loop): `npm start`'s live generator (simulated time follows the
 * wall clock, a fixed rate over all six topics) for `durationMs` from its first record. Reads its job
 * as JSON in argv[2]; writes one JSON line per second `{records, atMs}` and a last `{done, records, elapsedMs}`.
 */
import { usersForRate } from '../generator/population.ts';
import { startLiveGenerator } from '../start/live-generator.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';

export interface LiveGeneratorJob {
  endpoints: StackEndpoints;
  topicPrefix: string;
  ratePerS: number;
  durationMs: number;
  seed: number;
}

export interface GeneratorLine {
  records: number;
  /** Milliseconds since the first record (absent before it). */
  atMs?: number;
  done?: boolean;
  elapsedMs?: number;
  error?: string;
}

const REPORT_MS = 1000;
const POLL_MS = 50;

function say(line: GeneratorLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(job: LiveGeneratorJob): Promise<void> {
  const generator = await startLiveGenerator({
    endpoints: job.endpoints,
    ratePerS: job.ratePerS,
    users: usersForRate(job.ratePerS),
    backfillMs: 0,
    seed: job.seed,
    topicPrefix: job.topicPrefix,
  });
  let firstMs = NaN;
  let reportedMs = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const nowMs = performance.now();
      if (Number.isNaN(firstMs) && generator.records > 0) firstMs = nowMs;
      if (nowMs - reportedMs >= REPORT_MS) {
        reportedMs = nowMs;
        say(Number.isNaN(firstMs) ? { records: 0 } : { records: generator.records, atMs: nowMs - firstMs });
      }
      if (generator.error !== undefined || nowMs - firstMs >= job.durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, POLL_MS);
  });
  const elapsedMs = performance.now() - firstMs;
  await generator.stop();
  const line: GeneratorLine = { records: generator.records, done: true, elapsedMs };
  if (generator.error !== undefined) line.error = String(generator.error);
  say(line);
}

await main(JSON.parse(process.argv[2]!) as LiveGeneratorJob);
