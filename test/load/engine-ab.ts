/**
 * Paired engine comparison of two checkouts: the same records go through the engine of another checkout
 * (`--old`, e.g. `git worktree add /tmp/old <commit>` with a node_modules link) and through this one,
 * batch by batch in alternating order, CPU time summed per engine. Machine noise then hits both alike,
 * which separate runs of engine-bench.ts cannot promise on a shared machine. Not a test: it reports
 * numbers.
 *   taskset -c 1 npx tsx test/load/engine-ab.ts --old /tmp/old [--records 200000] [--passes 4] [--job auth]
 */
import { JOBS, type JobName } from '../../src/events/topics.ts';
import type { SourceRecord } from '../../src/events/record.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { benchRecords } from './bench-records.ts';
import { flag } from './bench-flags.ts';

const oldRoot = flag('old');
if (oldRoot === undefined) {
  console.error('engine-ab: --old <checkout> is required (the tree to compare this one against)');
  process.exit(2);
}
const recordsPerJob = Number(flag('records')) || 200_000;
const passes = Number(flag('passes')) || 4;
const jobs = flag('job') === undefined ? JOBS : [flag('job') as JobName];
const BATCH_SIZE = 10_000;

type Engine = ReturnType<typeof createJobEngine>;
const oldJobs = (await import(`${oldRoot}/src/processor/jobs.ts`)) as {
  createJobEngine: (job: JobName) => Engine;
};

function recordsOf(job: JobName): SourceRecord[] {
  return benchRecords(job, recordsPerJob);
}

function cpuS(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** CPU seconds each engine spent on the whole input, the two fed batch by batch in alternating order. */
function pairedPass(records: readonly SourceRecord[], engines: readonly [Engine, Engine]): [number, number] {
  const spent: [number, number] = [0, 0];
  const timed = (which: 0 | 1, work: (engine: Engine) => void): void => {
    const startS = cpuS();
    work(engines[which]);
    spent[which] += cpuS() - startS;
  };
  for (let at = 0, n = 0; at < records.length; at += BATCH_SIZE, n++) {
    const batch = records.slice(at, at + BATCH_SIZE);
    for (const which of n % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const)) {
      timed(which, (engine) => {
        engine.process(batch);
        engine.drainFinal();
      });
    }
  }
  for (const which of [0, 1] as const) {
    timed(which, (engine) => {
      engine.endOfInput();
      engine.drainFinal();
    });
  }
  return spent;
}

for (const job of jobs) {
  const records = recordsOf(job);
  let oldS = 0;
  let newS = 0;
  const perPass: string[] = [];
  for (let pass = 0; pass <= passes; pass++) {
    const [oldPass, newPass] = pairedPass(records, [oldJobs.createJobEngine(job), createJobEngine(job)]);
    if (pass === 0) continue; // warm-up: both JITs settle
    oldS += oldPass;
    newS += newPass;
    perPass.push(`${((oldPass / newPass - 1) * 100).toFixed(0)}%`);
  }
  const rate = (s: number) => Math.round((records.length * passes) / s).toLocaleString('en-US');
  const change = ((oldS / newS - 1) * 100).toFixed(1);
  console.log(
    `${job.padEnd(22)} old ${rate(oldS)}/CPU-s  this ${rate(newS)}/CPU-s  this vs old ${change}%  per pass ${perPass.join(' ')}`,
  );
}
