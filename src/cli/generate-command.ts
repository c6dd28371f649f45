/**
 * `speed-layer generate`: synthetic LMS behaviour into a record file or Kafka.
 * Flag names are fixed: tools outside the project rely on them.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { TOPICS, isTopic, type Topic } from '../events/topics.ts';
import { DEFAULT_START_TIME_MS } from '../generator/options.ts';
import { EVENTS_PER_S_PER_USER } from '../generator/population.ts';
import type { GenerateFlags } from './generate-action.ts';
import { parseDurationMs, parseFraction, parsePositiveInt } from './durations.ts';

const DEFAULT_EVENTS = 10_000;

function parseSeed(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`"${text}" is not an integer`);
  return value;
}

/** Seconds as a plain number (`30`, `0.5`), or a duration with a unit (`30s`, `2m`). */
function parseSecondsMs(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  return parseDurationMs(text);
}

/** Milliseconds as a plain integer (`500`), or a duration with a unit (`2s`). */
function parseMs(text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text);
  return parseDurationMs(text);
}

function parseStartTime(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < 0) throw new InvalidArgumentError(`"${text}" is not an ISO-8601 time`);
  return ms;
}

function parseTopics(text: string): Topic[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !isTopic(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown topic(s) ${unknown.join(', ')}; choose from ${TOPICS.join(', ')}`,
    );
  }
  return names as Topic[];
}

function parseRate(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError(`"${text}" is not a positive rate`);
  return value;
}

export function generateCommand(): Command {
  return new Command('generate')
    .description(
      'Generate synthetic LMS behaviour (sessions, videos, quizzes, assignments, notifications, attacks) into a record file or Kafka',
    )
    .showHelpAfterError()
    .option('--seed <n>', 'seed: same seed and flags give a byte-identical file', parseSeed, 1)
    .addOption(
      new Option(
        '--events <n>',
        `number of records, faults included (default ${DEFAULT_EVENTS} unless --duration)`,
      )
        .argParser(parsePositiveInt)
        .conflicts('duration'),
    )
    .option(
      '--duration <s>',
      'seconds of simulated time (live Kafka runs: of wall time); 30, 30s, 2m',
      parseSecondsMs,
    )
    .option('--rate <ev/s>', 'records per second on the wall clock (omit for as fast as possible)', parseRate)
    .option(
      '--users <n>',
      `simulated users (default 100; with --rate, enough for the rate at ${EVENTS_PER_S_PER_USER} events/s each)`,
      parsePositiveInt,
    )
    .option('--courses <n>', 'courses (default 20)', parsePositiveInt)
    .option(
      '--start-time <iso>',
      `simulated time of the first event (file default ${new Date(DEFAULT_START_TIME_MS).toISOString()}; Kafka: now, or now minus the span for a backfill)`,
      parseStartTime,
    )
    .option(
      '--disorder <ms>',
      'max delay between event time and ingestion; records leave in ingestion order (0 = in order)',
      parseMs,
      0,
    )
    .option('--late <fraction>', 'fraction of records that are late', parseFraction, 0)
    .option('--duplicates <fraction>', 'fraction of records that re-send an earlier record', parseFraction, 0)
    .option('--invalid <fraction>', 'fraction of records that break events.md', parseFraction, 0)
    .option('--future <fraction>', 'fraction of records stamped more than 5 min ahead', parseFraction, 0)
    .option(
      '--partitions <n>',
      'partitions per topic (default 6; Kafka: PARTITIONS or the existing topics)',
      parsePositiveInt,
    )
    .option('--topics <list>', 'comma-separated subset of the six topics', parseTopics)
    .option('--kafka', 'produce to Kafka (KAFKA_BROKERS...); topics are created if missing, key = user_id')
    .option('--out <file>', 'write a record file (replay.md)')
    .option('--user-prefix <prefix>', 'user ids are <prefix>-<n> (default u)')
    .option(
      '--watermark-delay <duration>',
      'watermark delay late faults must fall behind',
      parseDurationMs,
      120_000,
    )
    .option('--no-progress', 'no progress bar or progress lines')
    .action(async (flags: GenerateFlags, command: Command) => {
      if ((flags.kafka === true) === (flags.out !== undefined))
        command.error('choose one sink: --kafka or --out FILE');
      if (flags.events === undefined && flags.duration === undefined) flags.events = DEFAULT_EVENTS;
      const { generate } = await import('./generate-action.ts');
      await generate(flags, command);
    });
}
