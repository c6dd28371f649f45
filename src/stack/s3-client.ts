/**
 * One place that turns an S3 endpoint into an @aws-sdk/client-s3 client: path-style addressing so MinIO,
 * S3Proxy and AWS all work; checksums only when required (local servers may reject the new defaults);
 * the AWS default credential chain when no keys are given; and timeouts, so a hung S3 fails a call (which
 * the store retries, then reports) instead of holding a commit forever.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Endpoint } from './endpoints.ts';

/** A TCP connection to S3 must open within this. */
export const S3_CONNECTION_TIMEOUT_MS = 5_000;
/** A request fails once its socket has been silent this long (data still flowing never times out). */
export const S3_REQUEST_TIMEOUT_MS = 15_000;

export function createS3Client(
  endpoint: S3Endpoint,
  { connectionTimeoutMs = S3_CONNECTION_TIMEOUT_MS, requestTimeoutMs = S3_REQUEST_TIMEOUT_MS } = {},
): S3Client {
  const config: S3ClientConfig = {
    region: endpoint.region,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Without it the SDK only warns when a request times out, and waits on.
      throwOnRequestTimeout: true,
    },
  };
  if (endpoint.endpoint !== undefined) config.endpoint = endpoint.endpoint;
  if (endpoint.accessKeyId !== undefined && endpoint.secretAccessKey !== undefined) {
    config.credentials = { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey };
  }
  return new S3Client(config);
}
