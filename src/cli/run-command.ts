/**
 * `speed-layer run [jobs...]`: the production run loop. Every setting of
 * src/processor/runtime/settings.ts is a flag (flag > env > --config file > default); `--print-config`
 * shows the effective values with secrets masked. SIGTERM/SIGINT stop cleanly and exit 0 within 10 s.
 */
import { Command } from 'commander';
import { failRun } from './cli-errors.ts';
import { JOBS, isJobName, type JobName } from '../events/topics.ts';
import { resolveEndpoints } from '../stack/resolve-endpoints.ts';
import { leaveSignalsToCaller } from '../stack/child-registry.ts';
import { isStackError } from '../stack/stack-error.ts';
import { envOfEndpoints } from '../stack/stack-exports.ts';
import { PERMANENT_FAILURE_EXIT, superviseProcesses } from '../processor/runner/process-supervisor.ts';
import { RunnerError } from '../processor/runner/runner-error.ts';
import { errorCode } from '../shared/app-error.ts';
import { startJobs } from '../processor/runner/supervisor.ts';
import { createLogger, type LogFormat } from '../processor/runtime/logger.ts';
import {
  SETTING_DEFS,
  SETTING_NAMES,
  flagOf,
  maskedSettings,
  resolveSettings,
  type SettingName,
  type Settings,
} from '../processor/runtime/settings.ts';

const STOP_DEADLINE_MS = 9500;

interface RunFlags {
  config?: string;
  printConfig?: boolean;
  processes?: boolean;
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

/** This command line for a child of --processes: the same flags, minus the job list and --processes. */
function childArgs(jobs: readonly string[], settings: Settings, index: number): string[] {
  const args = process.argv.slice(3).filter((arg) => arg !== '--processes' && !jobs.includes(arg));
  const port = settings.httpPort === 0 ? 0 : settings.httpPort + 1 + index;
  return [...args, '--http-port', String(port)];
}

/** `--processes`: endpoints resolved (a local stack started) once here, so all children share them. */
async function runInProcesses(jobs: JobName[], settings: Settings): Promise<never> {
  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat as LogFormat });
  const { endpoints, stop: stopStack } = await resolveEndpoints(settings);
  const env = { ...process.env, ...envOfEndpoints(endpoints) };
  const specs = jobs.map((job, index) => ({ job, args: childArgs(jobs, settings, index), env }));
  leaveSignalsToCaller(); // the children commit first, then a stack started here stops
  const code = await superviseProcesses(specs, logger);
  await stopStack();
  process.exit(code);
}

async function runInProcess(jobs: JobName[], settings: Settings): Promise<never> {
  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat as LogFormat });
  const exit = (code: number): never => {
    logger.flush();
    process.exit(code);
  };
  try {
    const { endpoints, stop: stopStack } = await resolveEndpoints(settings);
    const running = await startJobs({ settings, jobs, endpoints, logger });
    const shutdown = (code: number): void => {
      setTimeout(() => {
        logger.error({ code: 'stop_timeout' }, `not stopped within ${STOP_DEADLINE_MS} ms; exiting`);
        exit(1);
      }, STOP_DEADLINE_MS).unref();
      void running
        .stop()
        .then(stopStack)
        .then(
          () => exit(code),
          () => exit(1),
        );
    };
    leaveSignalsToCaller(); // the jobs commit first, then a stack started here stops
    process.once('SIGTERM', () => shutdown(0));
    process.once('SIGINT', () => shutdown(0));
    running.failed.catch((error: unknown) => {
      logger.error({ code: errorCode(error) }, (error as Error).message);
      shutdown(PERMANENT_FAILURE_EXIT);
    });
    return await new Promise<never>(() => undefined);
  } catch (error) {
    logger.error({ code: errorCode(error), err: error }, `run: ${(error as Error).message}`);
    const badSetup = error instanceof RunnerError || isStackError(error, 'bad_env');
    return exit(badSetup ? PERMANENT_FAILURE_EXIT : 1);
  }
}

export function runCommand(): Command {
  const command = new Command('run')
    .description('Run the speed-layer jobs: Kafka → 25 real-time views on S3, exactly once')
    .argument('[jobs...]', `jobs to run (default all: ${JOBS.join(' ')})`)
    .option('--config <file>', 'JSON config file whose keys are setting names')
    .option('--print-config', 'print the effective settings (secrets masked) and exit')
    .option('--processes', 'one process per job instead of all jobs in this process');
  for (const name of SETTING_NAMES) {
    const { kind, description, env } = SETTING_DEFS[name];
    const flag = kind === 'bool' ? flagOf(name) : `${flagOf(name)} <value>`;
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
      if (options.processes === true) await runInProcesses(jobs, settings);
      await runInProcess(jobs, settings);
    });
}
