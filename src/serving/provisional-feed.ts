/**
 * `serve`'s provisional rows (docs/serving.md "Provisional rows"): a Kafka consumer of the provisional
 * topic, in a group of its own (every serve process reads everything, commits nothing), that starts a
 * lookback before now (long enough for any open cell: the longest window or session gap plus the
 * watermark delay) and keeps the table (processor/query/provisional-table.ts). Listeners get the
 * merged rows of the cells each message changed. The completeness of each view is read every few
 * seconds to forget the cells whose final rows answer now.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { VIEW_NAMES, viewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import { ProvisionalTable } from '../processor/query/provisional-table.ts';
import type { TimeRange } from './batch-source.ts';
import { ChangeListeners, type ChangeListener, type WantsView } from './change-listeners.ts';
import type { ProvisionalRows } from './provisional-rows.ts';
import { completionTailMs } from './view-windows.ts';

export interface ProvisionalFeedOptions {
  kafka: Kafka;
  /** The physical topic (prefix included). */
  topic: string;
  /** Start reading this long before now. */
  lookbackMs: number;
  /** complete_through of a view (the serving merge's reader). */
  completeThroughMs: (view: string) => Promise<number>;
  logger: Logger;
  /** How often the completeness is read to forget complete cells; default 2 s. */
  pruneEveryMs?: number;
  /**
   * Called once a message's values answer, with the newest record timestamp they include (freshness)
   * and, for the load harness's breakdown, the message's key, its produce time and when it was read.
   */
  onApplied?: (newestRecordMs: number, message: AppliedMessage) => void;
}

/**
 * How far back a new reader starts: a cell changes with each record, so the newest value of any cell
 * still open is at most its window's length (or the session gap), plus the watermark delay, plus the
 * join bound, old. A minute more for the publishers' clocks.
 */
export function provisionalLookbackMs(settings: { sessionGapMs: number; watermarkDelayMs: number }): number {
  const longest = Math.max(
    settings.sessionGapMs,
    ...VIEW_NAMES.map(completionTailMs).filter(Number.isFinite),
  );
  return longest + settings.watermarkDelayMs + 60_000;
}

export interface AppliedMessage {
  /** `job/topic:partition` (the publisher's key). */
  key: string;
  /** The message's timestamp: the publisher's produce request, ms. */
  producedMs: number;
  /** When this reader got it, before applying, ms. */
  receivedMs: number;
  /** as_of of the newest message of its job applied (this one's, from a publisher whose clock only grows). */
  asOfMs: number | null;
}

const ALL: TimeRange = { fromMs: -Infinity, toMs: Infinity };
const TOPIC_WAIT_MS = 2000;

export class ProvisionalFeed implements ProvisionalRows {
  private readonly table = new ProvisionalTable();
  private readonly listeners = new ChangeListeners();
  private readonly completeMs = new Map<string, number>();
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Messages read, and those skipped as unreadable (gauges for /metrics and tests). */
  read = 0;
  skipped = 0;

  constructor(private readonly options: ProvisionalFeedOptions) {}

  /** Starts reading in the background (the topic may not exist until a job has run). */
  start(): void {
    void this.connect();
    this.timer = setInterval(() => void this.prune(), this.options.pruneEveryMs ?? 2000);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.consumer?.disconnect().catch(() => undefined);
  }

  rowsOf(view: string, range: TimeRange, completeMs?: number): ViewRow[] {
    const known = Math.max(completeMs ?? -Infinity, this.completeMs.get(view) ?? -Infinity);
    return this.table.rows(view, range, known);
  }

  asOfMs(view: string): number | null {
    return this.table.asOfMs(viewSpec(view).job);
  }

  onChange(listener: ChangeListener, wants?: WantsView): () => void {
    return this.listeners.add(listener, wants);
  }

  /** Cells held (a gauge). */
  get cells(): number {
    return this.table.size;
  }

  private async connect(): Promise<void> {
    const { kafka, topic, logger } = this.options;
    while (!this.closed) {
      try {
        const consumer = kafka.consumer({
          groupId: `speed-layer-serve-${randomUUID()}`,
          maxWaitTimeInMs: 100,
        });
        const startOffsets = await this.offsetsAt(Date.now() - this.options.lookbackMs);
        if (startOffsets === undefined) {
          await new Promise((resolve) => setTimeout(resolve, TOPIC_WAIT_MS));
          continue;
        }
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: false });
        this.consumer = consumer;
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ message }) => this.onMessage(message),
        });
        for (const { partition, offset } of startOffsets) consumer.seek({ topic, partition, offset });
        if (this.closed) await consumer.disconnect();
        return;
      } catch (error) {
        logger.warn({ err: error, topic }, 'provisional rows: cannot read the topic yet');
        await new Promise((resolve) => setTimeout(resolve, TOPIC_WAIT_MS));
      }
    }
  }

  /** Offsets of the first messages at or after `timeMs`; undefined while the topic does not exist. */
  private async offsetsAt(timeMs: number): Promise<{ partition: number; offset: string }[] | undefined> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.options.topic)) return undefined;
      const offsets = await admin.fetchTopicOffsetsByTimestamp(this.options.topic, timeMs);
      // -1: no message that new; the end offset then.
      const ends = await admin.fetchTopicOffsets(this.options.topic);
      return offsets.map(({ partition, offset }) => ({
        partition,
        offset: offset === '-1' ? ends.find((end) => end.partition === partition)!.high : offset,
      }));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private onMessage({ key, value, timestamp }: KafkaMessage): void {
    if (value === null) return;
    const receivedMs = Date.now();
    const changes = this.table.applyEncoded(value);
    if (changes instanceof Error) {
      this.skipped++;
      if (this.skipped === 1) this.options.logger.warn({ err: changes }, 'provisional rows: message skipped');
      return;
    }
    this.read++;
    const newestMs = this.table.lastNewestRecordMs;
    if (newestMs !== null && this.options.onApplied !== undefined) {
      const name = key?.toString('utf8') ?? '';
      const asOfMs = this.table.asOfMs(name.slice(0, name.indexOf('/')));
      this.options.onApplied(newestMs, { key: name, producedMs: Number(timestamp), receivedMs, asOfMs });
    }
    for (const { view, cells } of changes) {
      this.listeners.notify(view, () => ({
        view,
        rows: this.table.rows(view, ALL, this.completeMs.get(view) ?? -Infinity, cells),
        asOfMs: this.table.asOfMs(viewSpec(view).job) ?? Date.now(),
      }));
    }
  }

  private async prune(): Promise<void> {
    const byJob = new Map<string, number>();
    for (const view of this.table.views()) {
      const job = viewSpec(view).job;
      try {
        if (!byJob.has(job)) byJob.set(job, await this.options.completeThroughMs(view));
      } catch {
        continue; // the store is down: keep the cells, try again next time
      }
      const completeMs = byJob.get(job)!;
      this.completeMs.set(view, completeMs);
      this.table.prune(view, completeMs);
    }
  }
}
