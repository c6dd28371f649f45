/**
 * What `speed-layer run` does once its settings are resolved: the jobs in this process, or one child
 * process per job (--processes). run-command.ts loads this module only then, so `run --help` and
 * `--print-config` load no Kafka, S3 or HTTP client.
 */
import type { JobName } from '../events/topics.ts';
import { resolveEndpoints } from '../stack/resolve-endpoints.ts';
import { leaveSignalsToCaller } from '../stack/child-registry.ts';
import { isStackError } from '../stack/stack-error.ts';
import { envOfEndpoints } from '../stack/stack-exports.ts';
import { PERMANENT_FAILURE_EXIT, superviseProcesses } from '../processor/runner/process-supervisor.ts';
import { RunnerError } from '../processor/runner/runner-error.ts';
import { errorCode } from '../shared/app-error.ts';
import { startJobs } from '../processor/runner/supervisor.ts';
import { createLogger, type LogFormat } from '../processor/runtime/logger.ts';
import { watchParent } from '../processor/runtime/parent-watch.ts';
import type { Settings } from '../processor/runtime/settings.ts';

/** This command line for a child of --processes: the same flags, minus the job list and --processes. */
function childArgs(jobs: readonly string[], settings: Settings, index: number): string[] {
  const args = process.argv.slice(3).filter((arg) => arg !== '--processes' && !jobs.includes(arg));
  const port = settings.httpPort === 0 ? 0 : settings.httpPort + 1 + index;
  return [...args, '--http-port', String(port)];
}

/** `--processes`: endpoints resolved (a local stack started) once here, so all children share them. */
export async function runInProcesses(jobs: JobName[], settings: Settings): Promise<never> {
  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat as LogFormat });
  const { endpoints, stop: stopStack } = await resolveEndpoints(settings);
  const env = { ...process.env, ...envOfEndpoints(endpoints) };
  const specs = jobs.map((job, index) => ({ job, args: childArgs(jobs, settings, index), env }));
  leaveSignalsToCaller(); // the children commit first, then a stack started here stops
  const code = await superviseProcesses(specs, logger);
  await stopStack();
  process.exit(code);
}

const AVAILABLE_NOW_POLL_MS = 250;

export async function runInProcess(
  jobs: JobName[],
  settings: Settings,
  { availableNow = false } = {},
): Promise<never> {
  const logger = createLogger({ level: settings.logLevel, format: settings.logFormat as LogFormat });
  const exit = (code: number): never => {
    logger.flush();
    process.exit(code);
  };
  try {
    const { endpoints, stop: stopStack } = await resolveEndpoints(settings);
    const running = await startJobs({ settings, jobs, endpoints, logger });
    const shutdown = (code: number): void => {
      const stopStartedMs = Date.now();
      setTimeout(() => {
        logger.error({ code: 'stop_timeout' }, `not stopped within ${settings.stopDeadline} ms; exiting`);
        exit(1);
      }, settings.stopDeadline).unref();
      void running
        .stop()
        .then(stopStack)
        .then(
          () => {
            logger.info({ stopMs: Date.now() - stopStartedMs }, 'stopped');
            exit(code);
          },
          () => exit(1),
        );
    };
    leaveSignalsToCaller(); // the jobs commit first, then a stack started here stops
    process.once('SIGTERM', () => shutdown(0));
    watchParent((parent) => {
      logger.warn({ code: 'parent_gone', parent }, 'the parent process went away; stopping');
      shutdown(0);
    });
    process.once('SIGINT', () => shutdown(0));
    if (availableNow) {
      const poll = setInterval(() => {
        if (!running.availableNowDone()) return;
        clearInterval(poll);
        logger.info({ jobs }, 'available now: every partition read to its end offset at start; stopping');
        shutdown(0);
      }, AVAILABLE_NOW_POLL_MS);
    }
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
