/**
 * One place that turns an S3 endpoint into an @aws-sdk/client-s3 client: path-style addressing so MinIO,
 * S3Proxy and AWS all work; checksums only when required (local servers may reject the new defaults);
 * the AWS default credential chain when no keys are given.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Endpoint } from './endpoints.ts';

export function createS3Client(endpoint: S3Endpoint): S3Client {
  const config: S3ClientConfig = {
    region: endpoint.region,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (endpoint.endpoint !== undefined) config.endpoint = endpoint.endpoint;
  if (endpoint.accessKeyId !== undefined && endpoint.secretAccessKey !== undefined) {
    config.credentials = { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey };
  }
  return new S3Client(config);
}
