/** One local S3Proxy (filesystem backend) from the cached jars, its objects under `baseDir`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { S3Endpoint } from './endpoints.ts';
import { freePort } from './free-port.ts';
import { resolveClasspath, S3PROXY_RUNTIME, type ProgressSink } from './jvm-artifacts.ts';
import { startJvm, type JvmProcess } from './jvm-process.ts';
import { createS3Client } from './s3-client.ts';
import {
  randomS3Credentials,
  S3PROXY_JVM_OPTIONS,
  s3ProxyLogbackXml,
  s3ProxyProperties,
} from './s3proxy-config.ts';
import { waitHealthy } from './wait-healthy.ts';

export interface LocalS3 {
  endpoint: S3Endpoint;
  process: JvmProcess;
}

const HEALTH_TIMEOUT_MS = 120_000;

export async function startLocalS3(
  baseDir: string,
  bucket: string,
  region: string,
  progress: ProgressSink,
): Promise<LocalS3> {
  const classpath = await resolveClasspath(S3PROXY_RUNTIME, progress);
  const dir = join(baseDir, 's3proxy');
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const credentials = randomS3Credentials();
  const propertiesFile = join(dir, 's3proxy.properties');
  const logbackFile = join(dir, 'logback.xml');
  await writeFile(propertiesFile, s3ProxyProperties({ port, dataDir, ...credentials }));
  await writeFile(logbackFile, s3ProxyLogbackXml());

  const process = startJvm({
    name: 's3proxy',
    classpath,
    mainClass: S3PROXY_RUNTIME.mainClass,
    args: ['--properties', propertiesFile],
    jvmOptions: [...S3PROXY_JVM_OPTIONS, `-Dlogback.configurationFile=${logbackFile}`],
    logFile: join(dir, 's3proxy.log'),
    cwd: dir,
  });
  const endpoint: S3Endpoint = { endpoint: `http://127.0.0.1:${port}`, region, bucket, ...credentials };
  try {
    await waitHealthy(process, () => probeS3(endpoint), HEALTH_TIMEOUT_MS);
    await createBucket(endpoint);
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { endpoint, process };
}

/** Healthy = ListBuckets succeeds with our credentials. */
export async function probeS3(endpoint: S3Endpoint): Promise<void> {
  const client = createS3Client(endpoint);
  try {
    await client.send(new ListBucketsCommand({}));
  } finally {
    client.destroy();
  }
}

/** Creates the bucket unless it exists already (ours or, on an external store, shared). */
export async function createBucket(endpoint: S3Endpoint): Promise<void> {
  const client = createS3Client(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: endpoint.bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  } finally {
    client.destroy();
  }
}
