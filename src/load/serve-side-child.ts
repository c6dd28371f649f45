/**
 * `load --serve-apart`: the reading side of a sustained run (load/serve-side.ts) in a process of its own.
 * Reads its job as JSON in argv[2]; writes `{ready}` once serve listens and the subscribers are
 * connecting; on stdin takes `measure`, `pause` and `stop`; writes `{result}` and exits after `stop`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentCommands, sayToParent } from './line-child.ts';
import { jobsRun, runSettings } from './load-fixture.ts';
import { round } from './resource-meter.ts';
import { startServeSideHere, type ServeSideJob, type ServeSideResult } from './serve-side.ts';

async function main(job: ServeSideJob): Promise<void> {
  const { id, topicPrefix, run: name, rawArchive, provisional } = job.run;
  const run = jobsRun(job.endpoints, { id, topicPrefix }, name, rawArchive, provisional);
  const settings = runSettings(run, { idleTimeout: job.idleTimeout });
  const side = await startServeSideHere(job.endpoints, run, settings, job.subscribers);
  const loop = monitorEventLoopDelay({ resolution: 20 });
  sayToParent<ServeSideResult>({ ready: true });
  for await (const command of parentCommands()) {
    if (command === 'measure') {
      side.measure(true);
      loop.enable();
    } else if (command === 'pause') side.measure(false);
  }
  loop.disable();
  const result = await side.stop();
  const loopDelayMs = { p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) };
  sayToParent<ServeSideResult>({ result: { ...result, loopDelayMs } });
  process.exit(0); // the store's and Kafka's sockets would keep a closed serve alive a while
}

await main(JSON.parse(process.argv[2]!) as ServeSideJob);
