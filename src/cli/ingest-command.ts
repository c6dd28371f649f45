/**
 * `speed-layer ingest`: the HTTP ingestion edge (POST /events) on 127.0.0.1 by default. Kafka and S3
 * come from the environment (KAFKA_BROKERS, S3_ENDPOINT...; `stack up` prints them), or `--local-stack`
 * starts both. SIGINT/SIGTERM drain in-flight requests, flush and disconnect.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BODY_LIMIT_BYTES } from '../ingest/parse-body.ts';
import type { IngestFlags } from './ingest-action.ts';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1024 ** 2,
};

/** `5242880`, `512KiB`, `5MiB` (binary units, case-insensitive). */
export function parseBytes(text: string): number {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match === null ? undefined : UNITS[match[2]!.toLowerCase()];
  if (match === null || unit === undefined || Number(match[1]) === 0)
    throw new InvalidArgumentError(`"${text}" is not a size (e.g. 5MiB, 512KiB, 1048576)`);
  return Number(match[1]) * unit;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError(`"${text}" is not a port`);
  return port;
}

function parseLingerMs(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidArgumentError(`"${text}" is not a whole number of ms`);
  return value;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description(
      'HTTP ingestion edge: POST /events (JSON array or NDJSON) → validated → Kafka; invalid → dead letters',
    )
    .showHelpAfterError()
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 8088)
    .option(
      '--body-limit <size>',
      `largest request body (413 above); e.g. 5MiB`,
      parseBytes,
      DEFAULT_BODY_LIMIT_BYTES,
    )
    .option('--no-coalesce', 'send each request’s events in its own Kafka batches instead of sharing batches')
    .option(
      '--linger <ms>',
      'with coalescing: wait this long for more requests before a send',
      parseLingerMs,
      0,
    )
    .option(
      '--local-stack',
      'start a local Kafka and S3 (as `stack up` does) instead of reading the environment',
    )
    .option('--dead-letter-dir <dir>', 'keep dead letters in a local directory instead of S3')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .action(async (flags: IngestFlags, command: Command) => {
      const { ingest } = await import('./ingest-action.ts');
      await ingest(flags, command);
    });
}
