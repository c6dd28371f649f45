/**
 * `speed-layer start` (`npm start`): the whole speed layer on one machine — the local stack unless the
 * settings name external Kafka/S3, the generator feeding it live, all five jobs, the batch layer and the
 * query API beside them, and a live summary.
 * Ctrl-C (or --duration) stops everything cleanly. docs/query-and-start.md.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { failRun } from './cli-errors.ts';
import {
  SETTING_DEFS,
  SETTING_NAMES,
  flagOf,
  resolveSettings,
  type SettingName,
  type Settings,
} from '../processor/runtime/settings.ts';
import { leaveSignalsToCaller } from '../stack/child-registry.ts';
import type { LiveRun } from '../start/start-live.ts';
import { parseDurationMs, parsePositiveInt } from './durations.ts';

/** A clean stop (generator, jobs' last commits, stack) that takes longer than this is cut short. */
const STOP_DEADLINE_MS = 60_000;

interface StartFlags {
  rate: number;
  duration?: number;
  generator: boolean;
  users?: number;
  backfill: number;
  seed: number;
  logFile?: string;
  config?: string;
  batchEvery: number;
  servePort: number;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError(`"${text}" is not a port (0 = any free port)`);
  return port;
}

function parseRate(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError(`"${text}" is not a positive rate`);
  return value;
}

/** Seconds as a plain number (`60`), or a duration with a unit (`90s`, `2m`). */
function parseSecondsMs(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  return parseDurationMs(text);
}

export function startCommand(): Command {
  const command = new Command('start')
    .description('Run everything locally: stack, generator, all five jobs, and a live summary of the views')
    .option('--rate <events/s>', 'generator rate on the wall clock', parseRate, 200)
    .option('--duration <seconds>', 'stop cleanly after this long (plain seconds or 90s, 2m)', parseSecondsMs)
    .option('--no-generator', 'do not feed the topics (something else does)')
    .option(
      '--users <n>',
      'simulated users (default: as many as make --rate at a natural pace)',
      parsePositiveInt,
    )
    .option(
      '--backfill <duration>',
      'simulated time starts this far in the past (e.g. 5m)',
      parseDurationMs,
      0,
    )
    .option('--seed <n>', 'generator seed', parsePositiveInt, Date.now() % 1_000_000)
    .option('--log-file <path>', 'where the jobs log (default: a file in the temp directory)')
    .option(
      '--batch-every <duration>',
      'how often the batch layer looks for closed days',
      parseDurationMs,
      60_000,
    )
    .option('--serve-port <port>', 'port of the query API (0: any free port, printed)', parsePort, 0)
    .option('--config <file>', 'JSON config file whose keys are setting names');
  for (const name of SETTING_NAMES) {
    const { kind, description, env } = SETTING_DEFS[name];
    command.option(
      kind === 'bool' ? `${flagOf(name)} [value]` : `${flagOf(name)} <value>`,
      `${description} [$${env}]`,
    );
  }
  return command.showHelpAfterError().action(async (flags: StartFlags & Record<string, unknown>) => {
    const settingFlags: Partial<Record<SettingName, unknown>> = {};
    for (const name of SETTING_NAMES) if (flags[name] !== undefined) settingFlags[name] = flags[name];
    let settings: Settings | undefined;
    try {
      const sources = { flags: settingFlags, env: process.env };
      settings = resolveSettings(
        flags.config === undefined ? sources : { ...sources, configFile: flags.config },
      );
    } catch (error) {
      failRun(command, error);
    }
    if (settings === undefined) return;
    const { startLive } = await import('../start/start-live.ts');
    const logFile =
      flags.logFile ??
      join(tmpdir(), `speed-layer-start-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    // Jobs commit before Kafka and S3 stop: the signal handlers below stop them in that order.
    leaveSignalsToCaller();
    let live: LiveRun | undefined;
    let interrupts = 0;
    const onSignal = (): void => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130); // a second Ctrl-C: do not wait (the exit handler kills the JVMs)
      setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
      void live?.stop();
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
    try {
      live = await startLive({
        settings,
        generator: flags.generator
          ? {
              ratePerS: flags.rate,
              backfillMs: flags.backfill,
              seed: flags.seed,
              ...(flags.users === undefined ? {} : { users: flags.users }),
            }
          : false,
        ...(flags.duration === undefined ? {} : { durationMs: flags.duration }),
        logFile,
        output: process.stdout,
        batchEveryMs: flags.batchEvery,
        servePort: flags.servePort,
      });
    } catch (error) {
      process.stderr.write(`start: ${(error as Error).message} (details in ${logFile})\n`);
      process.exit(1);
    }
    if (interrupts > 0) void live.stop(); // Ctrl-C while starting
    const outcome = await live.finished;
    process.exit(outcome.reason === 'failed' ? 1 : 0);
  });
}
