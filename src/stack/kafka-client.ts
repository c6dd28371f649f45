/** One place that turns a Kafka endpoint into a kafkajs client, so SASL/TLS settings apply everywhere. */
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { KafkaEndpoint } from './endpoints.ts';

export function createKafka(endpoint: KafkaEndpoint, clientId = 'lms-speed-layer'): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers: endpoint.brokers,
    logLevel: logLevel.ERROR,
    retry: { retries: 8, initialRetryTime: 100 },
  };
  if (endpoint.ssl) config.ssl = true;
  if (endpoint.sasl) config.sasl = { ...endpoint.sasl } as SASLOptions;
  return new Kafka(config);
}
