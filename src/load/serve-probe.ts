/**
 * The `serve` of a sustained run: a real one (serving/run-serve.ts) over the run's store and its
 * provisional topic, with a hook on its provisional feed (the freshness probe: record → answerable by
 * this serve) and, with `--sse M`, M Server-Sent-Events subscribers of its streams in a process of their
 * own (load/sse-clients.ts) while the jobs take the live input.
 */
import pino from 'pino';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { VIEW_NAMES } from '../events/view-catalog.ts';
import { provisionalTopic } from '../processor/io/provisional-message.ts';
import { layoutOf, type Settings } from '../processor/runtime/settings.ts';
import { startServe, type RunningServe } from '../serving/run-serve.ts';
import type { ProvisionalFeedOptions } from '../serving/provisional-feed.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { LineChild } from './line-child.ts';
import { startSseClientsApart, type SseResult } from './sse-clients.ts';

/** Subscriber i: every fifth watches five views over /v1/stream, the others one view's stream. */
export function streamPath(i: number): string {
  if (i % 5 === 0) {
    const views = Array.from({ length: 5 }, (_, k) => VIEW_NAMES[(i + k * 5) % VIEW_NAMES.length]!);
    return `/v1/stream?views=${views.join(',')}`;
  }
  return `/v1/views/${VIEW_NAMES[i % VIEW_NAMES.length]}/stream`;
}

export interface ServeProbeOptions {
  endpoints: StackEndpoints;
  store: ObjectStore;
  settings: Settings;
  /** Told about each provisional message serve's feed applied (load/provisional-probe.ts). */
  onApplied?: ProvisionalFeedOptions['onApplied'];
}

export class ServeProbe {
  private constructor(
    private readonly serve: RunningServe,
    private readonly clients: LineChild<SseResult> | undefined,
  ) {}

  static async start(options: ServeProbeOptions, subscribers: number): Promise<ServeProbe> {
    const { endpoints, store, settings, onApplied } = options;
    const serve = await startServe({
      store,
      layout: layoutOf(settings),
      batchLayout: batchLayoutOf(settings),
      host: '127.0.0.1',
      port: 0,
      provisional: {
        kafka: createKafka(endpoints.kafka, 'load-serve'),
        topic: provisionalTopic(settings.topicPrefix),
        lookbackMs: 60_000,
        ...(onApplied && { onApplied }),
      },
      logger: pino({ level: 'silent' }),
    });
    try {
      const urls = Array.from({ length: subscribers }, (_, i) => `${serve.url}${streamPath(i)}`);
      return new ServeProbe(serve, subscribers > 0 ? await startSseClientsApart(urls) : undefined);
    } catch (error) {
      await serve.close();
      throw error;
    }
  }

  /** The subscribers' figures (null without any), once they and then serve are closed. */
  async stop(): Promise<SseResult | null> {
    try {
      return (await this.clients?.finish()) ?? null;
    } finally {
      await this.serve.close();
    }
  }
}
