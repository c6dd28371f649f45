/** What `speed-layer serve` does once its flags are parsed: serve-command.ts loads this module only then. */
import type { Command } from 'commander';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { createLogger } from '../processor/runtime/logger.ts';
import { layoutOf } from '../processor/runtime/settings.ts';
import { readAlertRules } from '../alerts/alert-rules.ts';
import { startServe } from '../serving/run-serve.ts';
import { provisionalSource } from './serve-provisional.ts';
import { failRun } from './cli-errors.ts';
import { openStorage, settingsOfFlags, type StorageFlags } from './storage-flags.ts';

export interface ServeFlags extends StorageFlags {
  host: string;
  port: number;
  allowUnauthenticated?: boolean;
  alerts?: string;
  jobsUrl?: string;
  logLevel: string;
}

/** Serves until SIGINT/SIGTERM. */
export async function serve(flags: ServeFlags & Record<string, unknown>, command: Command): Promise<void> {
  const logger = createLogger({ level: flags.logLevel, name: 'serve' });
  const token = process.env.SERVE_TOKEN === '' ? undefined : process.env.SERVE_TOKEN;
  try {
    const settings = settingsOfFlags(flags, ['batchPrefix']);
    // A bad rules file fails here, in one line naming the rule and the field, before anything listens.
    const alerts = flags.alerts === undefined ? undefined : await readAlertRules(flags.alerts);
    const { store } = await openStorage(flags, settings);
    const provisional = provisionalSource(settings, logger);
    const running = await startServe({
      store,
      layout: layoutOf(settings),
      batchLayout: batchLayoutOf(settings),
      host: flags.host,
      port: flags.port,
      ...(token === undefined ? {} : { token }),
      allowUnauthenticated: flags.allowUnauthenticated === true,
      ...(alerts && { alerts }),
      jobsUrl: flags.jobsUrl,
      ...(provisional && { provisional }),
      logger,
    });
    logger.info({ url: running.url, store: store.url, token: token !== undefined }, 'serve listening');
    process.stdout.write(`listening on ${running.url}\n`);
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'answering the requests in flight, then stopping');
      await running.close();
      logger.info('stopped');
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
  } catch (error) {
    failRun(command, error); // one line: a refused bind, a bad --root, a port in use
  }
}
