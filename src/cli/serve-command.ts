/**
 * `speed-layer serve`: the HTTP query API over batch and speed rows (docs/serving.md) on 127.0.0.1:8080
 * by default. Storage as `query` reads it (--root or the storage settings); `SERVE_TOKEN` in the
 * environment makes every /v1 request need `Authorization: Bearer <token>`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { addStorageFlags } from './storage-flags.ts';
import type { ServeFlags } from './serve-action.ts';

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError(`"${text}" is not a port (0 = any free port)`);
  return port;
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .description(
      'HTTP query API: batch rows before the boundary, complete speed rows after it (docs/serving.md)',
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port, logged)', parsePort, 8080)
    .option('--allow-unauthenticated', 'listen on a non-loopback address without SERVE_TOKEN')
    .option('--batch-prefix <prefix>', 'prefix of the batch views [$BATCH_PREFIX]')
    .option(
      '--alerts <file>',
      'alert rules, YAML or JSON (docs/alerts.md): /v1/alerts, webhooks, the alert log',
    )
    .option('--jobs-url <url>', 'HTTP base URL of `speed-layer run` (/healthz): the dashboard shows its jobs')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .default('info'),
    );
  return addStorageFlags(command)
    .showHelpAfterError()
    .action(async (flags: ServeFlags & Record<string, unknown>) => {
      const { serve } = await import('./serve-action.ts');
      await serve(flags, command);
    });
}
