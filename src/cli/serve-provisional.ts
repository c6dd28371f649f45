/**
 * Where `serve` reads provisional rows: the jobs' Kafka (KAFKA_BROKERS, --kafka-brokers or a running
 * local stack) and their topic prefix. Without a Kafka, or with PROVISIONAL=false, answers hold final
 * rows only, and the log says so once.
 */
import type { Logger } from 'pino';
import { provisionalTopic } from '../processor/io/provisional-message.ts';
import type { Settings } from '../processor/runtime/settings.ts';
import { provisionalLookbackMs } from '../serving/provisional-feed.ts';
import type { ServeOptions } from '../serving/run-serve.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { kafkaEndpointOf } from '../stack/record-producer.ts';

export function provisionalSource(settings: Settings, logger: Logger): ServeOptions['provisional'] {
  if (!settings.provisional) return undefined;
  let endpoint;
  try {
    endpoint = kafkaEndpointOf(settings);
  } catch (error) {
    logger.info({ reason: (error as Error).message }, 'provisional rows off: no Kafka to read them from');
    return undefined;
  }
  return {
    kafka: createKafka(endpoint, 'lms-speed-layer-serve', logger),
    topic: provisionalTopic(settings.topicPrefix),
    lookbackMs: provisionalLookbackMs({
      sessionGapMs: settings.sessionGap,
      watermarkDelayMs: settings.watermarkDelay,
    }),
  };
}
