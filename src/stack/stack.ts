/**
 * startStack(): a running Kafka and S3 for tests, `npm start`, the load tests and `stack up`.
 * Per service, an external one named by the environment (KAFKA_BROKERS, S3_ENDPOINT) wins; the missing
 * ones are started as local JVMs (STACK_MODE=local, the default), as containers (containers), or as
 * containers when a Docker engine answers and local JVMs otherwise (auto; containers also falls back).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaEndpoint, S3Endpoint, StackEndpoints } from './endpoints.ts';
import { containerRuntimeAvailable, startContainers } from './containers.ts';
import type { ProgressSink } from './jvm-artifacts.ts';
import type { JvmProcess } from './jvm-process.ts';
import { createKafka } from './kafka-client.ts';
import { startLocalKafka } from './local-kafka.ts';
import { createBucket, startLocalS3 } from './local-s3.ts';
import { StackError } from './stack-error.ts';
import {
  checkEndpointValues,
  readStackEnv,
  type EndpointValues,
  type Env,
  type ServiceMode,
  type StackMode,
} from './stack-env.ts';
import { ensureTopics } from './topics.ts';

export interface StartStackOptions {
  /** Defaults to process.env. */
  env?: Env;
  /** Endpoint values to use instead of the environment's (STACK_MODE still comes from `env`). */
  values?: EndpointValues;
  /** Overrides STACK_MODE. */
  mode?: StackMode;
  /** Overrides PARTITIONS. */
  partitions?: number;
  /** Create the six topics (default true). */
  createTopics?: boolean;
  /** Progress lines (Maven resolution, fallbacks); default: stderr. */
  progress?: ProgressSink;
}

export interface RunningStack {
  endpoints: StackEndpoints;
  modes: { kafka: ServiceMode; s3: ServiceMode };
  /** PIDs of the local JVMs (each also the id of its process group); empty for external/containers. */
  pids: number[];
  /** Temp folder with the local services' data, configs and logs (deleted on stop). */
  dataDir?: string;
  stop(): Promise<void>;
}

export const stderrProgress: ProgressSink = (message) => process.stderr.write(`[stack] ${message}\n`);

export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const env = options.env ?? process.env;
  const envResult =
    options.values === undefined
      ? readStackEnv(env)
      : checkEndpointValues({ stackMode: env.STACK_MODE, ...options.values });
  if (!envResult.ok) throw new StackError('bad_env', `bad stack environment: ${envResult.errors.join('; ')}`);
  const settings = envResult.settings;
  const partitions = options.partitions ?? settings.partitions;
  const progress = options.progress ?? stderrProgress;
  const need = { kafka: settings.kafka === undefined, s3: settings.s3 === undefined };

  const mode = options.mode ?? settings.mode;
  const provider = await chooseProvider(mode, need.kafka || need.s3, containerRuntimeAvailable, progress);

  const started =
    need.kafka || need.s3 ? await startMissing(provider, need, settings, partitions, progress) : undefined;
  const kafka = settings.kafka ?? started?.kafka;
  const s3 = settings.s3 ?? started?.s3;
  const stop = started?.stop ?? (() => Promise.resolve());
  if (kafka === undefined || s3 === undefined)
    throw new StackError('start_failed', 'a service has no endpoint');
  try {
    if (settings.s3 !== undefined) await createBucket(s3);
    if (options.createTopics ?? true) await createTopics(kafka, partitions);
    if (need.kafka) await warmUpCoordinators(kafka);
  } catch (error) {
    await stop();
    throw error;
  }
  const stack: RunningStack = {
    endpoints: { kafka, s3, partitions },
    modes: { kafka: need.kafka ? provider : 'external', s3: need.s3 ? provider : 'external' },
    pids: started?.pids ?? [],
    stop,
  };
  if (started?.dataDir !== undefined) stack.dataDir = started.dataDir;
  return stack;
}

/**
 * Who starts the missing services: local JVMs, or containers when asked for (containers, auto) and a
 * container runtime answers; containers mode falls back to local, saying so, when none answers.
 */
export async function chooseProvider(
  mode: StackMode,
  anythingMissing: boolean,
  runtimeAvailable: () => Promise<boolean>,
  progress: ProgressSink,
): Promise<'local' | 'containers'> {
  if (!anythingMissing || mode === 'local') return 'local';
  if (await runtimeAvailable()) return 'containers';
  progress(`STACK_MODE=${mode}: no container runtime answers, starting local JVMs instead`);
  return 'local';
}

interface StartedServices {
  kafka?: KafkaEndpoint;
  s3?: S3Endpoint;
  pids: number[];
  dataDir?: string;
  stop(): Promise<void>;
}

async function startMissing(
  provider: 'local' | 'containers',
  need: { kafka: boolean; s3: boolean },
  settings: { bucket: string; region: string },
  partitions: number,
  progress: ProgressSink,
): Promise<StartedServices> {
  if (provider === 'containers') {
    const containers = await startContainers(need, settings.bucket, settings.region);
    if (containers.s3 !== undefined) await createBucket(containers.s3);
    return { ...containers, pids: [] };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'speed-layer-stack-'));
  const [kafka, s3] = await Promise.allSettled([
    need.kafka ? startLocalKafka(dataDir, partitions, progress) : Promise.resolve(undefined),
    need.s3 ? startLocalS3(dataDir, settings.bucket, settings.region, progress) : Promise.resolve(undefined),
  ]);
  const processes: JvmProcess[] = [];
  if (kafka.status === 'fulfilled' && kafka.value !== undefined) processes.push(kafka.value.process);
  if (s3.status === 'fulfilled' && s3.value !== undefined) processes.push(s3.value.process);
  const stop = async (): Promise<void> => {
    await Promise.allSettled(processes.map((jvm) => jvm.stop()));
    await rm(dataDir, { recursive: true, force: true });
  };
  const failure = [kafka, s3].find((result) => result.status === 'rejected');
  if (failure !== undefined) {
    // The failed one's logs are quoted in its error; keep its folder only as long as the error needs it.
    await stop();
    throw failure.reason;
  }
  const services: StartedServices = { pids: processes.map((jvm) => jvm.pid), dataDir, stop };
  if (kafka.status === 'fulfilled' && kafka.value !== undefined) services.kafka = kafka.value.endpoint;
  if (s3.status === 'fulfilled' && s3.value !== undefined) services.s3 = s3.value.endpoint;
  return services;
}

async function createTopics(endpoint: KafkaEndpoint, partitions: number): Promise<void> {
  const admin = createKafka(endpoint, 'stack-setup').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, partitions);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A new broker creates __consumer_offsets on the first group request (and answers "coordinator is
 * loading" until then) and may refuse the first producer id: get both done now, quietly retrying,
 * so the first consumer group or idempotent producer of a test does not crash and restart.
 */
async function warmUpCoordinators(endpoint: KafkaEndpoint): Promise<void> {
  const kafka = new Kafka({
    clientId: 'stack-warm-up',
    brokers: endpoint.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await admin.connect();
  try {
    const groupId = 'speed-layer-stack-warm-up';
    await admin.describeGroups([groupId]);
    await admin.fetchOffsets({ groupId });
    await producer.connect();
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}
