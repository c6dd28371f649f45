/**
 * Live-update subscribers beside a loaded run: a real `serve` (serving/run-serve.ts) over the run's store
 * and its provisional topic, in this process, and M Server-Sent-Events subscribers of its streams while
 * the jobs take the live input. Reported: provisional events and how long after the job took their values
 * they reached a subscriber, final events (in order per view), and subscribers the server dropped.
 */
import pino from 'pino';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { VIEW_NAMES } from '../events/view-catalog.ts';
import { provisionalTopic } from '../processor/io/provisional-message.ts';
import { layoutOf, type Settings } from '../processor/runtime/settings.ts';
import { startServe, type RunningServe } from '../serving/run-serve.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { SseSubscriber } from './sse-subscriber.ts';

export interface SseResult {
  subscribers: number;
  provisionalEvents: number;
  /** Job took the values → subscriber received them, ms. */
  provisionalP50Ms: number | null;
  provisionalP99Ms: number | null;
  finals: number;
  inOrder: boolean;
  /** Subscribers whose stream ended before the probe stopped (the server drops a slow one). */
  dropped: number;
}

/** Subscriber i: every fifth watches five views over /v1/stream, the others one view's stream. */
export function streamPath(i: number): string {
  if (i % 5 === 0) {
    const views = Array.from({ length: 5 }, (_, k) => VIEW_NAMES[(i + k * 5) % VIEW_NAMES.length]!);
    return `/v1/stream?views=${views.join(',')}`;
  }
  return `/v1/views/${VIEW_NAMES[i % VIEW_NAMES.length]}/stream`;
}

export function quantile(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export class SseProbe {
  private constructor(
    private readonly serve: RunningServe,
    private readonly subscribers: SseSubscriber[],
  ) {}

  static async start(
    options: { endpoints: StackEndpoints; store: ObjectStore; settings: Settings },
    subscribers: number,
  ): Promise<SseProbe> {
    const { endpoints, store, settings } = options;
    const serve = await startServe({
      store,
      layout: layoutOf(settings),
      batchLayout: batchLayoutOf(settings),
      host: '127.0.0.1',
      port: 0,
      provisional: {
        kafka: createKafka(endpoints.kafka, 'load-sse-serve'),
        topic: provisionalTopic(settings.topicPrefix),
        lookbackMs: 60_000,
      },
      logger: pino({ level: 'silent' }),
    });
    const clients = Array.from(
      { length: subscribers },
      (_, i) => new SseSubscriber(`${serve.url}${streamPath(i)}`),
    );
    return new SseProbe(serve, clients);
  }

  async stop(): Promise<SseResult> {
    const dropped = this.subscribers.filter((subscriber) => subscriber.closedBy !== undefined).length;
    for (const subscriber of this.subscribers) subscriber.close();
    await this.serve.close();
    const delays = this.subscribers.flatMap((subscriber) => subscriber.provisionalDelaysMs);
    delays.sort((a, b) => a - b);
    return {
      subscribers: this.subscribers.length,
      provisionalEvents: this.subscribers.reduce((sum, subscriber) => sum + subscriber.provisional, 0),
      provisionalP50Ms: quantile(delays, 0.5),
      provisionalP99Ms: quantile(delays, 0.99),
      finals: this.subscribers.reduce((sum, subscriber) => sum + subscriber.finals.length, 0),
      inOrder: this.subscribers.every((subscriber) => subscriber.inOrder),
      dropped,
    };
  }
}
