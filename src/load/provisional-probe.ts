/**
 * Freshness of provisional rows under load: a reader of the jobs' provisional topic (the one `serve`
 * runs, serving/provisional-feed.ts) that, for each message it applies while measuring, records now −
 * the newest record timestamp the message's values include: record timestamp → provisional value
 * answerable by `serve`; and the stages in between (load/freshness-breakdown.ts).
 */
import pino from 'pino';
import { provisionalTopic } from '../processor/io/provisional-message.ts';
import { ProvisionalFeed } from '../serving/provisional-feed.ts';
import type { StackEndpoints } from '../stack/endpoints.ts';
import { createKafka } from '../stack/kafka-client.ts';
import { freshnessBreakdown, type FreshnessBreakdown, type MessageTimes } from './freshness-breakdown.ts';

export interface FreshnessMs {
  messages: number;
  p50: number;
  p99: number;
  breakdown: FreshnessBreakdown | null;
}

export class ProvisionalProbe {
  private readonly feed: ProvisionalFeed;
  private readonly delaysMs: number[] = [];
  private readonly times: MessageTimes[] = [];
  /** Per publisher key: the last round's as_of and its gap to the round before. */
  private readonly rounds = new Map<string, { takenMs: number; gapMs: number | null }>();
  measuring = false;

  constructor(endpoints: StackEndpoints, topicPrefix: string) {
    this.feed = new ProvisionalFeed({
      kafka: createKafka(endpoints.kafka, 'load-provisional-probe'),
      topic: provisionalTopic(topicPrefix),
      lookbackMs: 60_000,
      completeThroughMs: async () => -Infinity, // the table is read for its timestamps only
      logger: pino({ level: 'silent' }),
      pruneEveryMs: 3_600_000,
      onApplied: (newestRecordMs, { key, producedMs, receivedMs, asOfMs }) => {
        const appliedMs = Date.now();
        const takenMs = asOfMs ?? NaN;
        // Parts of one partition's changes share their as_of: the gap is to the round before.
        const previous = this.rounds.get(key);
        const round =
          previous?.takenMs === takenMs
            ? previous
            : { takenMs, gapMs: previous === undefined ? null : takenMs - previous.takenMs };
        this.rounds.set(key, round);
        if (!this.measuring) return;
        this.delaysMs.push(appliedMs - newestRecordMs);
        this.times.push({
          job: key.slice(0, key.indexOf('/')),
          recordMs: newestRecordMs,
          takenMs,
          producedMs,
          receivedMs,
          appliedMs,
          roundGapMs: round.gapMs,
        });
      },
    });
    this.feed.start();
  }

  async stop(): Promise<FreshnessMs | null> {
    await this.feed.close();
    if (this.delaysMs.length === 0) return null;
    const sorted = [...this.delaysMs].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return {
      messages: sorted.length,
      p50: at(0.5),
      p99: at(0.99),
      breakdown: freshnessBreakdown(this.times),
    };
  }
}
