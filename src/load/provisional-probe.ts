/**
 * Freshness of provisional rows under load: a reader of the jobs' provisional topic (the one `serve`
 * runs, serving/provisional-feed.ts) that, for each message it applies while measuring, records now −
 * the newest record timestamp the message's values include: record timestamp → provisional value
 * answerable by `serve`.
 */
import pino from 'pino';
import { provisionalTopic } from '../processor/io/provisional-message.ts';
import { ProvisionalFeed } from '../serving/provisional-feed.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';

export interface FreshnessMs {
  messages: number;
  p50: number;
  p99: number;
}

export class ProvisionalProbe {
  private readonly feed: ProvisionalFeed;
  private readonly delaysMs: number[] = [];
  measuring = false;

  constructor(endpoints: StackEndpoints, topicPrefix: string) {
    this.feed = new ProvisionalFeed({
      kafka: createKafka(endpoints.kafka, 'load-provisional-probe'),
      topic: provisionalTopic(topicPrefix),
      lookbackMs: 60_000,
      completeThroughMs: async () => -Infinity, // the table is read for its timestamps only
      logger: pino({ level: 'silent' }),
      pruneEveryMs: 3_600_000,
      onApplied: (newestRecordMs) => {
        if (this.measuring) this.delaysMs.push(Date.now() - newestRecordMs);
      },
    });
    this.feed.start();
  }

  async stop(): Promise<FreshnessMs | null> {
    await this.feed.close();
    if (this.delaysMs.length === 0) return null;
    const sorted = [...this.delaysMs].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { messages: sorted.length, p50: at(0.5), p99: at(0.99) };
  }
}
