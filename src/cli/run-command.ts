/**
 * `speed-layer run [jobs...]`: the production run loop. Every setting of
 * src/processor/runtime/settings.ts is a flag (flag > env > --config file > default); `--print-config`
 * shows the effective values with secrets masked. SIGTERM/SIGINT stop cleanly and exit 0 within 10 s.
 * `--available-now` (Spark's Trigger.AvailableNow) stops by itself once what the topics held is processed.
 */
import { Command } from 'commander';
import { failRun } from './cli-errors.ts';
import { JOBS, isJobName, type JobName } from '../events/topics.ts';
import {
  SETTING_DEFS,
  SETTING_NAMES,
  flagOf,
  maskedSettings,
  resolveSettings,
  type SettingName,
  type Settings,
} from '../processor/runtime/settings.ts';

interface RunFlags {
  config?: string;
  printConfig?: boolean;
  processes?: boolean;
  availableNow?: boolean;
}

function parseJobs(names: readonly string[], command: Command): JobName[] {
  const unknown = names.filter((name) => !isJobName(name));
  if (unknown.length > 0)
    command.error(`unknown job(s) ${unknown.join(', ')}; choose from ${JOBS.join(', ')}`);
  return names.length === 0 ? [...JOBS] : [...new Set(names as JobName[])];
}

/** The flags of the settings given on this command line, keyed by setting name. */
function settingFlags(options: Record<string, unknown>): Partial<Record<SettingName, unknown>> {
  const flags: Partial<Record<SettingName, unknown>> = {};
  for (const name of SETTING_NAMES) if (options[name] !== undefined) flags[name] = options[name];
  return flags;
}

export function runCommand(): Command {
  const command = new Command('run')
    .description('Run the speed-layer jobs: Kafka → 25 real-time views on S3, exactly once')
    .argument('[jobs...]', `jobs to run (default all: ${JOBS.join(' ')})`)
    .option('--config <file>', 'JSON config file whose keys are setting names')
    .option('--print-config', 'print the effective settings (secrets masked) and exit')
    .option('--processes', 'one process per job instead of all jobs in this process')
    .option(
      '--available-now',
      'process what the topics hold now, commit, publish what became complete, and exit 0 (a backfill or CI run)',
    );
  for (const name of SETTING_NAMES) {
    const { kind, description, env } = SETTING_DEFS[name];
    const flag = kind === 'bool' ? `${flagOf(name)} [value]` : `${flagOf(name)} <value>`;
    command.option(flag, `${description} [$${env}]`);
  }
  return command
    .showHelpAfterError()
    .action(async (names: string[], options: RunFlags & Record<string, unknown>) => {
      const jobs = parseJobs(names, command);
      const sources = { flags: settingFlags(options), env: process.env };
      let settings: Settings | undefined;
      try {
        settings = resolveSettings(
          options.config === undefined ? sources : { ...sources, configFile: options.config },
        );
      } catch (error) {
        failRun(command, error);
      }
      if (settings === undefined) return;
      if (options.printConfig === true) {
        process.stdout.write(`${JSON.stringify({ jobs, ...maskedSettings(settings) }, null, 2)}\n`);
        return;
      }
      const availableNow = options.availableNow === true;
      if (availableNow && options.processes === true)
        command.error('run: --available-now runs the jobs in one process; drop --processes');
      const { runInProcess, runInProcesses } = await import('./run-action.ts');
      if (options.processes === true) await runInProcesses(jobs, settings);
      await runInProcess(jobs, settings, { availableNow });
    });
}
