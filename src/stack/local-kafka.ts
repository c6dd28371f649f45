/** One local Kafka node (KRaft, broker + controller) from the cached jars, its data under `baseDir`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaEndpoint } from './endpoints.ts';
import { freePort } from './free-port.ts';
import {
  KAFKA_RUNTIME,
  KAFKA_STORAGE_TOOL_CLASS,
  resolveClasspath,
  type ProgressSink,
} from './jvm-artifacts.ts';
import {
  KAFKA_JVM_OPTIONS,
  kafkaLog4jProperties,
  kafkaServerProperties,
  randomClusterId,
} from './kafka-config.ts';
import { runJvm, startJvm, type JvmProcess } from './jvm-process.ts';
import { logTail, waitHealthy } from './wait-healthy.ts';
import { StackError } from './stack-error.ts';

export interface LocalKafka {
  endpoint: KafkaEndpoint;
  process: JvmProcess;
}

const FORMAT_TIMEOUT_MS = 120_000;
const HEALTH_TIMEOUT_MS = 180_000;

export async function startLocalKafka(
  baseDir: string,
  partitions: number,
  progress: ProgressSink,
): Promise<LocalKafka> {
  const classpath = await resolveClasspath(KAFKA_RUNTIME, progress);
  const dir = join(baseDir, 'kafka');
  const logDir = join(dir, 'data');
  await mkdir(logDir, { recursive: true });
  const [brokerPort, controllerPort] = [await freePort(), await freePort()];
  const propertiesFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j2.properties');
  await writeFile(propertiesFile, kafkaServerProperties({ brokerPort, controllerPort, logDir, partitions }));
  await writeFile(log4jFile, kafkaLog4jProperties());
  const logFile = join(dir, 'kafka.log');
  const jvmOptions = [
    ...KAFKA_JVM_OPTIONS,
    `-Dlog4j2.configurationFile=${log4jFile}`,
    '-Djava.awt.headless=true',
  ];

  const formatLog = join(dir, 'format.log');
  try {
    await runJvm(
      {
        name: 'kafka-storage-format',
        classpath,
        mainClass: KAFKA_STORAGE_TOOL_CLASS,
        args: ['format', '-t', randomClusterId(), '-c', propertiesFile],
        jvmOptions: [
          '-Xmx256m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          `-Dlog4j2.configurationFile=${log4jFile}`,
        ],
        logFile: formatLog,
        cwd: dir,
      },
      FORMAT_TIMEOUT_MS,
    );
  } catch (error) {
    const message = `formatting Kafka storage failed: ${(error as Error).message}; ${formatLog} ends:\n${await logTail(formatLog)}`;
    throw new StackError('start_failed', message, { cause: error });
  }

  const process = startJvm({
    name: 'kafka',
    classpath,
    mainClass: KAFKA_RUNTIME.mainClass,
    args: [propertiesFile],
    jvmOptions,
    logFile,
    cwd: dir,
  });
  const endpoint: KafkaEndpoint = { brokers: [`127.0.0.1:${brokerPort}`] };
  try {
    await waitHealthy(process, () => probeKafka(endpoint), HEALTH_TIMEOUT_MS);
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { endpoint, process };
}

/** Healthy = the broker answers a metadata request (describeCluster) with itself as controller. */
export async function probeKafka(endpoint: KafkaEndpoint): Promise<void> {
  const kafka = new Kafka({
    clientId: 'stack-health',
    brokers: endpoint.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null)
      throw new Error('no broker or controller yet');
  } finally {
    await admin.disconnect();
  }
}
