/**
 * What `speed-layer ingest` does once its flags are parsed: ingest-command.ts loads this module only then.
 */
import type { Command } from 'commander';
import { failRun } from './cli-errors.ts';
import { FileObjectStore } from '../storage/file-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { createLogger } from '../processor/runtime/logger.ts';
import { startIngest } from '../ingest/run-ingest.ts';
import { describeS3, type KafkaEndpoint, type S3Endpoint } from '../stack/endpoints.ts';
import { readStackEnv } from '../stack/stack-env.ts';
import type { RunningStack } from '../stack/stack.ts';

/** The flags ingest-command.ts parses. */
export interface IngestFlags {
  host: string;
  port: number;
  bodyLimit: number;
  coalesce: boolean;
  linger: number;
  localStack?: boolean;
  deadLetterDir?: string;
  logLevel: string;
}

/** Where dead letters go; the S3 client is loaded only when they go to S3. */
async function storeOf(
  s3: S3Endpoint | undefined,
  deadLetterDir: string | undefined,
): Promise<ObjectStore | undefined> {
  if (deadLetterDir !== undefined) return new FileObjectStore(deadLetterDir);
  if (s3 === undefined) return undefined;
  const { S3ObjectStore } = await import('../storage/s3-object-store.ts');
  const { createS3Client } = await import('../stack/s3-client.ts');
  return new S3ObjectStore(createS3Client(s3), s3.bucket, { endpoint: describeS3(s3) });
}

/** Serves until SIGINT/SIGTERM; `command` reports a bad stack environment or a missing Kafka or store. */
export async function ingest(flags: IngestFlags, command: Command): Promise<void> {
  const logger = createLogger({ level: flags.logLevel, name: 'ingest' });
  const env = readStackEnv(process.env);
  if (!env.ok) failRun(command, `bad stack environment: ${env.errors.join('; ')}`);
  let stack: RunningStack | undefined;
  let kafka: KafkaEndpoint | undefined = env.settings.kafka;
  let s3: S3Endpoint | undefined = env.settings.s3;
  if (flags.localStack === true) {
    const { startStack } = await import('../stack/stack.ts');
    stack = await startStack();
    ({ kafka, s3 } = stack.endpoints);
  }
  if (kafka === undefined)
    failRun(
      command,
      'KAFKA_BROKERS is not set. Start a stack with `npx speed-layer stack up` and export the variables it prints, or pass --local-stack to start one here.',
    );
  const store = await storeOf(s3, flags.deadLetterDir);
  if (store === undefined)
    failRun(
      command,
      'S3_ENDPOINT is not set (dead letters need a store). Export it as `stack up` prints it, pass --dead-letter-dir DIR, or --local-stack.',
    );
  const edge = await startIngest({
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
    { url: edge.url, deadLetters: store.url, coalesce: flags.coalesce, lingerMs: flags.linger },
    'ingest listening',
  );
  process.stdout.write(`listening on ${edge.url}\n`);
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests');
    await edge.close();
    await stack?.stop();
    logger.info('stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(signal));
}
