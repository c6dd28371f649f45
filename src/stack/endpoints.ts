/** Where the running Kafka and S3 are: what `stack up` prints and what tests, the generator and the runner use. */
export interface KafkaEndpoint {
  brokers: string[];
  /** TLS to the brokers (KAFKA_SSL=true). */
  ssl?: boolean;
  /** SASL (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD); never logged. */
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export interface S3Endpoint {
  /** Undefined means AWS itself (region endpoint). */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Undefined means the AWS default credential chain. Never logged. */
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Where an S3 endpoint points, for messages (never the keys). */
export function describeS3(s3: S3Endpoint): string {
  return s3.endpoint ?? `AWS S3 (${s3.region})`;
}

export interface StackEndpoints {
  kafka: KafkaEndpoint;
  s3: S3Endpoint;
  /** Partitions per topic (the same for all six). */
  partitions: number;
}
