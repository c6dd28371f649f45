/** One place that turns a Kafka endpoint into a kafkajs client, so SASL/TLS settings apply everywhere. */
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaEndpoint } from './endpoints.ts';
import { kafkaLogCreator } from './kafka-log.ts';

/** `logger`: where kafkajs's own lines go (the console as JSON without one). */
export function createKafka(endpoint: KafkaEndpoint, clientId = 'lms-speed-layer', logger?: Logger): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers: endpoint.brokers,
    logLevel: logLevel.ERROR,
    retry: { retries: 8, initialRetryTime: 100 },
    ...(logger && { logCreator: kafkaLogCreator(logger) }),
  };
  if (endpoint.ssl) config.ssl = true;
  if (endpoint.sasl) config.sasl = { ...endpoint.sasl } as SASLOptions;
  return new Kafka(config);
}
