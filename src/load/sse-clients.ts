/**
 * The SSE subscribers of a sustained run, in a process of their own (load/sse-clients-child.ts): in a
 * deployment the clients of `serve` run elsewhere, so their parsing must not share `serve`'s event loop.
 * Reported: provisional events and how long after the job took their values they reached a subscriber,
 * final events (in order per view), and subscribers the server dropped.
 */
import { quantileOf } from './freshness-breakdown.ts';
import { startLineChild, type LineChild } from './line-child.ts';
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

/** quantileOf, or null without any value. */
export function quantile(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : quantileOf(sorted, q);
}

/** One subscriber per URL, in this process. */
export class SseClients {
  private readonly subscribers: SseSubscriber[];

  constructor(urls: readonly string[]) {
    this.subscribers = urls.map((url) => new SseSubscriber(url));
  }

  /** Closes every subscriber and sums up what they received. */
  stop(): SseResult {
    const dropped = this.subscribers.filter((subscriber) => subscriber.closedBy !== undefined).length;
    for (const subscriber of this.subscribers) subscriber.close();
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

/** The subscribers of `urls` in a child process; `finish()` stops them and hands back their figures. */
export function startSseClientsApart(urls: readonly string[]): Promise<LineChild<SseResult>> {
  return startLineChild<SseResult>(import.meta.url, 'sse-clients-child', urls);
}
