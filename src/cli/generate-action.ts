/**
 * What `speed-layer generate` does once its flags are parsed (generate-command.ts loads this module only
 * then: the generator needs @faker-js/faker, a devDependency).
 */
import type { Command } from 'commander';
import { failRun } from './cli-errors.ts';
import { TOPICS, type Topic } from '../events/topics.ts';
import { DEFAULT_OPTIONS, DEFAULT_START_TIME_MS, type GeneratorOptions } from '../generator/options.ts';
import { createProgress } from '../generator/progress.ts';
import { runGenerator } from '../generator/run-generator.ts';
import { simulatedSpanMs } from '../generator/simulated-span.ts';
import { FileSink } from '../generator/sinks/file-sink.ts';
import { openKafkaSink } from '../generator/sinks/open-kafka-sink.ts';
import type { RecordSink } from '../generator/sinks/record-sink.ts';
import { usersForRate } from '../generator/population.ts';

/** The flags generate-command.ts parses (defaults applied). */
export interface GenerateFlags {
  seed: number;
  events?: number;
  duration?: number;
  rate?: number;
  users?: number;
  courses?: number;
  startTime?: number;
  disorder: number;
  late: number;
  duplicates: number;
  invalid: number;
  future: number;
  partitions?: number;
  topics?: Topic[];
  kafka?: boolean;
  out?: string;
  userPrefix?: string;
  watermarkDelay: number;
  progress: boolean;
}

/** Runs the generator as the flags say; `command` reports a bad --start-time and a Kafka that fails to open. */
export async function generate(flags: GenerateFlags, command: Command): Promise<void> {
  const { events } = flags;
  const kafkaMode = flags.kafka === true;
  const live = kafkaMode && flags.rate !== undefined;
  const users = flags.users ?? (flags.rate === undefined ? undefined : usersForRate(flags.rate));
  const options: Partial<GeneratorOptions> = {
    seed: flags.seed,
    disorderMs: flags.disorder,
    faults: { late: flags.late, duplicate: flags.duplicates, invalid: flags.invalid, future: flags.future },
    watermarkDelayMs: flags.watermarkDelay,
  };
  if (events !== undefined) options.events = events;
  if (flags.duration !== undefined) options.durationMs = flags.duration;
  if (users !== undefined) options.users = users;
  if (flags.courses !== undefined) options.courses = flags.courses;
  if (flags.topics !== undefined) options.topics = flags.topics;
  if (flags.userPrefix !== undefined) options.userPrefix = flags.userPrefix;

  let sink: RecordSink;
  if (kafkaMode) {
    const opened = await openKafkaSink(flags.partitions, options.topics ?? TOPICS).catch((error: unknown) =>
      failRun(command, error),
    );
    sink = opened.sink;
    options.partitions = opened.partitions;
    options.wallClockMs = Date.now;
    const nowMs = Date.now();
    if (flags.startTime !== undefined && flags.startTime > nowMs)
      command.error('--start-time is in the future: Kafka would reject the events as future');
    // Live: simulated time follows the wall clock from now. Backfill: it ends about now.
    options.startTimeMs = flags.startTime ?? (live ? nowMs : nowMs - simulatedSpanMs(options));
  } else {
    sink = new FileSink(flags.out!);
    options.startTimeMs = flags.startTime ?? DEFAULT_START_TIME_MS;
    if (flags.partitions !== undefined) options.partitions = flags.partitions;
  }
  const total =
    events ??
    (flags.rate !== undefined && flags.duration !== undefined
      ? Math.round((flags.rate * flags.duration) / 1000)
      : undefined);
  const settings: Parameters<typeof runGenerator>[0] = {
    options,
    sink,
    holdToWallClock: kafkaMode,
    progress: createProgress(total, flags.progress),
  };
  if (flags.rate !== undefined) settings.ratePerS = flags.rate;
  if (live && flags.duration !== undefined) settings.wallDurationMs = flags.duration;
  const { summary, elapsedMs, setupMs } = await runGenerator(settings);
  process.stderr.write(
    `setup (simulated world of ${options.users ?? DEFAULT_OPTIONS.users} users): ${(setupMs / 1000).toFixed(1)} s\n`,
  );
  process.stderr.write(`${summary.format(elapsedMs)}\n`);
  if (flags.rate !== undefined) {
    const achieved = summary.records / (elapsedMs / 1000);
    process.stderr.write(
      `target rate ${flags.rate} records/s, achieved ${Math.round(achieved)} (${((100 * achieved) / flags.rate).toFixed(1)} %)\n`,
    );
  }
}
