/** What `speed-layer serve` does once its flags are parsed: serve-command.ts loads this module only then. */
import type { Command } from 'commander';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { createLogger } from '../processor/runtime/logger.ts';
import { layoutOf } from '../processor/runtime/settings.ts';
import { startServe } from '../serving/run-serve.ts';
import { failRun } from './cli-errors.ts';
import { openStorage, settingsOfFlags, type StorageFlags } from './storage-flags.ts';

export interface ServeFlags extends StorageFlags {
  host: string;
  port: number;
  allowUnauthenticated?: boolean;
  logLevel: string;
}

/** Serves until SIGINT/SIGTERM. */
export async function serve(flags: ServeFlags & Record<string, unknown>, command: Command): Promise<void> {
  const logger = createLogger({ level: flags.logLevel, name: 'serve' });
  const token = process.env.SERVE_TOKEN === '' ? undefined : process.env.SERVE_TOKEN;
  try {
    const settings = settingsOfFlags(flags, ['batchPrefix']);
    const { store } = await openStorage(flags, settings);
    const running = await startServe({
      store,
      layout: layoutOf(settings),
      batchLayout: batchLayoutOf(settings),
      host: flags.host,
      port: flags.port,
      ...(token === undefined ? {} : { token }),
      allowUnauthenticated: flags.allowUnauthenticated === true,
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
