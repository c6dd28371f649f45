/**
 * Where `query` reads: a `--root` URL (`file:///path` for a local root, `s3://bucket[/prefix]`), or else
 * the S3 of the settings `run` uses (S3_ENDPOINT etc. via env/config/flags), or else the S3 of a running
 * `speed-layer stack up`. Nothing is started: a query never launches services.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeS3, type S3Endpoint } from '../../stack/endpoints.ts';
import { runningStackState } from '../../stack/stack-state.ts';
import { FileObjectStore } from '../../storage/file-object-store.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { Settings } from '../runtime/settings.ts';

/** The S3 endpoint the settings name, else the running stack's; undefined when there is neither. */
export function s3EndpointOf(
  settings: Settings,
  stackS3 = () => runningStackState()?.endpoints.s3,
): S3Endpoint | undefined {
  if (settings.s3Endpoint === undefined) return stackS3();
  const endpoint: S3Endpoint = {
    endpoint: settings.s3Endpoint,
    region: settings.s3Region,
    bucket: settings.s3Bucket,
  };
  if (settings.s3AccessKeyId !== undefined) endpoint.accessKeyId = settings.s3AccessKeyId;
  if (settings.s3SecretAccessKey !== undefined) endpoint.secretAccessKey = settings.s3SecretAccessKey;
  return endpoint;
}

const NO_STORAGE =
  'no storage to read: pass --root file:///path or --root s3://bucket/prefix, set S3_ENDPOINT (with ' +
  'S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY), or run `npx speed-layer stack up`';

/** An S3 store; the AWS SDK is loaded only here, so a query of a file:// root never loads it. */
async function openS3Store(endpoint: S3Endpoint, rootPrefix = ''): Promise<ObjectStore> {
  const { createS3Client } = await import('../../stack/s3-client.ts');
  const { S3ObjectStore } = await import('../../storage/s3-object-store.ts');
  return new S3ObjectStore(createS3Client(endpoint), endpoint.bucket, {
    rootPrefix,
    endpoint: describeS3(endpoint),
  });
}

/** Opens the store; rejects with an Error whose message says what to give when nothing names one. */
export async function openQueryStore(root: string | undefined, settings: Settings): Promise<ObjectStore> {
  if (root?.startsWith('file://') === true) {
    const path = fileURLToPath(root);
    if (!existsSync(path)) throw new Error(`--root ${root}: ${path} does not exist`);
    return new FileObjectStore(path);
  }
  const endpoint = s3EndpointOf(settings);
  if (root === undefined) {
    if (endpoint === undefined) throw new Error(NO_STORAGE);
    return openS3Store(endpoint);
  }
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(root);
  if (match === null) throw new Error(`--root must be file:///path or s3://bucket[/prefix], got ${root}`);
  const bucket = match[1]!;
  const rootPrefix = match[2]!;
  // Without an endpoint anywhere: AWS itself (region endpoint, default credential chain).
  const base: S3Endpoint = endpoint ?? { region: settings.s3Region, bucket };
  return openS3Store({ ...base, bucket }, rootPrefix);
}
