/**
 * `speed-layer load`: the load benchmark (src/load): catch-up, ceiling, sustained and HTTP
 * edge scenarios, a summary table and JSON results. Exit 1 when a result is wrong or, in a full run, a
 * throughput target (10,000 records/s per job, keeping up with 10,000 events/s) is missed.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolveLoadParams, SCENARIOS, type LoadFlags } from '../load/load-params.ts';
import { JOBS } from '../events/topics.ts';
import { parseDurationMs, parsePositiveInt } from './durations.ts';

/** A comma-separated subset of `allowed`, each name once. */
function subsetParser<T extends string>(allowed: readonly T[]): (text: string) => T[] {
  return (text) => {
    const names = text
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const unknown = names.filter((name) => !(allowed as readonly string[]).includes(name));
    if (names.length === 0 || unknown.length > 0)
      throw new InvalidArgumentError(`"${text}": choose from ${allowed.join(', ')}`);
    return [...new Set(names)] as T[];
  };
}

/** Seconds as a plain number (`180`) or any duration (`3m`). */
function parseDuration(text: string): number {
  return /^\d+$/.test(text.trim()) ? parsePositiveInt(text) * 1000 : parseDurationMs(text);
}

export function loadCommand(): Command {
  return new Command('load')
    .description(
      'Load benchmark: catch-up, ceiling, sustained rate and HTTP edge; prints tables, writes JSON',
    )
    .showHelpAfterError()
    .option(
      '--quick',
      'a small version of every scenario (minutes; reports and checks correctness, asserts no throughput)',
    )
    .option('--records <n>', 'backlog per job (default 1,000,000; quick 20,000)', parsePositiveInt)
    .option(
      '--rate <events/s>',
      'sustained generator rate over all topics (default 10,000; quick 2,000)',
      parsePositiveInt,
    )
    .option('--duration <s>', 'sustained run time: 180, 180s, 3m (default 180 s; quick 30 s)', parseDuration)
    .addOption(
      new Option('--scenarios <list>', `comma-separated subset of ${SCENARIOS.join(',')}`).argParser(
        subsetParser(SCENARIOS),
      ),
    )
    .addOption(
      new Option('--jobs <list>', `comma-separated subset of ${JOBS.join(',')} (default all)`).argParser(
        subsetParser(JOBS),
      ),
    )
    .option('--results <dir>', 'folder for the JSON results', 'results')
    .option('--no-raw-archive', 'run the jobs without the raw archive (to measure what it costs)')
    .option('--no-provisional', 'run the jobs without provisional rows (to measure what they cost)')
    .option(
      '--sse <n>',
      'sustained: n SSE subscribers of serve, in a process of their own (default 0)',
      parsePositiveInt,
    )
    .option('--serve-apart', 'sustained: run serve and its freshness probe in a process apart from the jobs')
    .option(
      '--job-processes',
      'sustained: run the jobs as `run --processes` (a process per job; implies --serve-apart)',
    )
    .option(
      '--commit-groups <n>',
      'scale-out: commit groups of the job (one log per partition group; default 1, one shared log)',
      parsePositiveInt,
    )
    .option('--protocol-only', 'scale-out: measure the commit protocol alone, without `run` processes')
    .action(async (flags: LoadFlags) => {
      const { runLoad } = await import('../load/run-load.ts');
      const passed = await runLoad(resolveLoadParams(flags));
      process.exitCode = passed ? 0 : 1;
    });
}
