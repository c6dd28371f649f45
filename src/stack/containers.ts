/**
 * containers mode: Kafka (Confluent Platform 8 = Apache Kafka 4.x, KRaft) and MinIO through
 * testcontainers, imported lazily so local mode never loads them. testcontainers throws "Could not
 * find a working container runtime strategy" when no Docker engine answers: then we report false.
 */
import type { KafkaEndpoint, S3Endpoint } from './endpoints.ts';
import { randomS3Credentials } from './s3proxy-config.ts';
import { StackError } from './stack-error.ts';

export const KAFKA_IMAGE = 'confluentinc/cp-kafka:8.0.0';
export const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';

export interface StartedContainers {
  kafka?: KafkaEndpoint;
  s3?: S3Endpoint;
  stop(): Promise<void>;
}

/** True when testcontainers finds a container runtime (Docker engine or compatible) that answers. */
export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function startContainers(
  need: { kafka: boolean; s3: boolean },
  bucket: string,
  region: string,
): Promise<StartedContainers> {
  const stops: (() => Promise<unknown>)[] = [];
  const started: StartedContainers = {
    stop: async () => {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
  try {
    if (need.kafka) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const container = await new KafkaContainer(KAFKA_IMAGE)
        .withKraft()
        .withEnvironment({
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        })
        .start();
      stops.push(() => container.stop());
      started.kafka = { brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`] };
    }
    if (need.s3) {
      const { MinioContainer } = await import('@testcontainers/minio');
      const credentials = randomS3Credentials();
      const container = await new MinioContainer(MINIO_IMAGE)
        .withUsername(credentials.accessKeyId)
        .withPassword(credentials.secretAccessKey)
        .start();
      stops.push(() => container.stop());
      started.s3 = { endpoint: container.getConnectionUrl(), region, bucket, ...credentials };
    }
    return started;
  } catch (error) {
    await started.stop();
    throw new StackError('start_failed', `starting containers failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
