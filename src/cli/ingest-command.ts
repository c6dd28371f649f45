/**
 * `speed-layer ingest`: the HTTP ingestion edge (POST /events) on 127.0.0.1 by default. Kafka and S3
 * come from the environment (KAFKA_BROKERS, S3_ENDPOINT...; `stack up` prints them), or `--local-stack`
 * starts both. SIGINT/SIGTERM drain in-flight requests, flush and disconnect.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { failRun } from './cli-errors.ts';
import { FileObjectStore } from '../storage/file-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { S3ObjectStore } from '../storage/s3-object-store.ts';
import { createLogger } from '../processor/runtime/logger.ts';
import { DEFAULT_BODY_LIMIT_BYTES } from '../ingest/ingest-server.ts';
import { startIngest } from '../ingest/run-ingest.ts';
import type { KafkaEndpoint, S3Endpoint } from '../stack/endpoints.ts';
import { createS3Client } from '../stack/s3-client.ts';
import { readStackEnv } from '../stack/stack-env.ts';
import { startStack, type RunningStack } from '../stack/stack.ts';

interface IngestFlags {
  host: string;
  port: number;
  bodyLimit: number;
  coalesce: boolean;
  linger: number;
  localStack?: boolean;
  deadLetterDir?: string;
  logLevel: string;
}

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

function storeOf(s3: S3Endpoint | undefined, deadLetterDir: string | undefined): ObjectStore | undefined {
  if (deadLetterDir !== undefined) return new FileObjectStore(deadLetterDir);
  return s3 === undefined ? undefined : new S3ObjectStore(createS3Client(s3), s3.bucket);
}

async function run(flags: IngestFlags, command: Command): Promise<void> {
  const logger = createLogger({ level: flags.logLevel, name: 'ingest' });
  const env = readStackEnv(process.env);
  if (!env.ok) failRun(command, `bad stack environment: ${env.errors.join('; ')}`);
  let stack: RunningStack | undefined;
  let kafka: KafkaEndpoint | undefined = env.settings.kafka;
  let s3: S3Endpoint | undefined = env.settings.s3;
  if (flags.localStack === true) {
    stack = await startStack();
    ({ kafka, s3 } = stack.endpoints);
  }
  if (kafka === undefined)
    failRun(
      command,
      'KAFKA_BROKERS is not set. Start a stack with `npx speed-layer stack up` and export the variables it prints, or pass --local-stack to start one here.',
    );
  const store = storeOf(s3, flags.deadLetterDir);
  if (store === undefined)
    failRun(
      command,
      'S3_ENDPOINT is not set (dead letters need a store). Export it as `stack up` prints it, pass --dead-letter-dir DIR, or --local-stack.',
    );
  const ingest = await startIngest({
    kafka,
    partitions: stack?.endpoints.partitions ?? env.settings.partitions,
    store,
    host: flags.host,
    port: flags.port,
    bodyLimitBytes: flags.bodyLimit,
    coalesce: flags.coalesce,
    lingerMs: flags.linger,
    logger,
  });
  logger.info(
    { url: ingest.url, deadLetters: store.url, coalesce: flags.coalesce, lingerMs: flags.linger },
    'ingest listening',
  );
  process.stdout.write(`listening on ${ingest.url}\n`);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests');
    await ingest.close();
    await stack?.stop();
    logger.info('stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
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
    .action(run);
}
