/**
 * The live-update fan-out behind the two stream routes (docs/serving.md "Live updates"). One poller reads
 * the completeness of each job somebody watches, once per interval for all subscribers; when it moves on,
 * every subscriber of the job's views gets a `final` event with the rows that completed in between
 * (stream-finals.ts: one read shared by all who are at the same place). A subscriber resuming from an
 * older complete_through catches up from storage in parts, waiting for the client to take each. Changes
 * of the provisional source go out as `provisional` events, never for a window whose final was sent.
 */
import type { JobName } from '../events/topics.ts';
import { VIEW_NAMES, viewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { MergedRows } from './merged-rows.ts';
import type { ProvisionalChange, ProvisionalRows } from './provisional-rows.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import type { SseClient } from './stream-client.ts';
import { completeAtMs, finalEvent, provisionalEvent, rowJson } from './stream-events.ts';
import { FinalRows, splitByCompletion } from './stream-finals.ts';
import { completionTailMs } from './view-windows.ts';

export interface StreamHubLimits {
  /** How often the completeness of the watched jobs is read. */
  pollIntervalMs: number;
  /** At most this many streams at once; more are answered 503. */
  maxSubscribers: number;
  /** A Last-Event-ID older than complete_through minus this resumes from there. */
  maxResumeMs: number;
  /** Rows per `final` event while catching up (an event is cut only between completion times). */
  rowsPerEvent: number;
}

export interface Watch {
  view: string;
  keys: Readonly<Record<string, string>>;
  /** Last-Event-ID's complete_through for this view, if the client resumes. */
  resumeFromMs?: number;
}

interface WatchState extends Watch {
  job: JobName;
  /** complete_through of the last final event sent (−∞: none yet, nothing complete at connect). */
  sentThroughMs: number;
  targetMs: number;
  pumping: boolean;
  /** The provisional rows at connect have been sent: changes may follow. */
  live: boolean;
}

interface Subscriber {
  readonly client: SseClient;
  watches: WatchState[];
  /** /v1/stream: ids name every view (`view:ms,…`); a view's own stream: the ms alone. */
  multi: boolean;
}

/** Catching up reads storage in spans of at most a day of completion time. */
const CATCH_UP_SPAN_MS = 24 * 60 * 60_000;

export class StreamHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly finals: FinalRows;
  private readonly completeByJob = new Map<JobName, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly stopProvisional: () => void;
  /** View → watches of it by connected subscribers (the provisional source merges only these views). */
  private readonly watchedViews = new Map<string, number>();

  constructor(
    private readonly rows: MergedRows,
    private readonly metrics: ServeMetrics,
    private readonly limits: StreamHubLimits,
    private readonly provisional: ProvisionalRows | undefined,
    private readonly onError: (error: unknown) => void,
  ) {
    this.finals = new FinalRows(rows);
    this.stopProvisional =
      provisional?.onChange(
        (change) => this.provisionalChanged(change),
        (view) => this.watchedViews.has(view),
      ) ?? (() => {});
  }

  get full(): boolean {
    return this.subscribers.size >= this.limits.maxSubscribers;
  }

  /** Starts a stream: the resume point or the current complete_through, the provisional rows, then live. */
  async subscribe(client: SseClient, watches: readonly Watch[], multi: boolean): Promise<void> {
    const subscriber: Subscriber = { client, multi, watches: [] };
    this.subscribers.add(subscriber);
    this.metrics.streamSubscribers.inc();
    client.onClose(() => {
      this.subscribers.delete(subscriber);
      this.countWatches(subscriber.watches, -1);
      subscriber.watches = [];
      this.metrics.streamSubscribers.dec();
    });
    this.schedulePoll();
    const states: WatchState[] = [];
    for (const watch of watches) {
      const job = viewSpec(watch.view).job;
      const completeMs = await this.completeThrough(job);
      const startMs =
        watch.resumeFromMs === undefined
          ? completeMs
          : Math.max(watch.resumeFromMs, completeMs - this.limits.maxResumeMs);
      states.push({
        ...watch,
        job,
        sentThroughMs: startMs,
        targetMs: completeMs,
        pumping: false,
        live: false,
      });
    }
    if (!this.subscribers.has(subscriber)) return; // the client left while the stream was set up
    // Watched (by the poller) only from here on, so nothing comes before this first event.
    subscriber.watches = states;
    this.countWatches(states, 1);
    // Without a resume point: one final event with no rows says where the stream starts (its id).
    for (const watch of states)
      if (watch.resumeFromMs === undefined && Number.isFinite(watch.sentThroughMs))
        this.sendFinal(subscriber, watch, watch.sentThroughMs, []);
    await Promise.all(subscriber.watches.map((watch) => this.pump(subscriber, watch)));
    for (const watch of subscriber.watches) this.sendProvisionalSnapshot(subscriber, watch);
  }

  /** Ends every stream and stops polling (server shutdown). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopProvisional();
    for (const { client } of [...this.subscribers]) client.end();
  }

  private countWatches(watches: readonly Watch[], delta: number): void {
    for (const { view } of watches) {
      const count = (this.watchedViews.get(view) ?? 0) + delta;
      if (count > 0) this.watchedViews.set(view, count);
      else this.watchedViews.delete(view);
    }
  }

  private async completeThrough(job: JobName): Promise<number> {
    const view = JOB_PROBE_VIEW.get(job)!;
    const completeMs = (await this.rows.rows({ view, fromMs: 0, toMs: 0 })).completeThroughMs;
    this.completeByJob.set(job, Math.max(completeMs, this.completeByJob.get(job) ?? -Infinity));
    return this.completeByJob.get(job)!;
  }

  private schedulePoll(): void {
    if (this.timer !== undefined || this.subscribers.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.schedulePoll());
    }, this.limits.pollIntervalMs);
    this.timer.unref();
  }

  /** One completeness read per watched job; every watch of it that is behind moves on. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const jobs = new Set<JobName>();
      for (const { watches } of this.subscribers) for (const watch of watches) jobs.add(watch.job);
      for (const job of jobs) {
        const completeMs = await this.completeThrough(job);
        for (const subscriber of this.subscribers)
          for (const watch of subscriber.watches)
            // Behind also after a failed read: the pump picks up from what was sent.
            if (watch.job === job && completeMs > watch.sentThroughMs) {
              watch.targetMs = Math.max(watch.targetMs, completeMs);
              void this.pump(subscriber, watch);
            }
      }
    } catch (error) {
      this.onError(error); // the store failed for now: the next poll tries again
    } finally {
      this.polling = false;
    }
  }

  /** Sends the finals of a watch up to its target, a span at a time, waiting for a slow client. */
  private async pump(subscriber: Subscriber, watch: WatchState): Promise<void> {
    if (watch.pumping) return;
    watch.pumping = true;
    try {
      while (watch.sentThroughMs < watch.targetMs && (await subscriber.client.room())) {
        const afterMs = watch.sentThroughMs;
        // From nothing sent (no completion at connect): everything complete so far, in one read.
        const throughMs = Number.isFinite(afterMs)
          ? Math.min(watch.targetMs, afterMs + CATCH_UP_SPAN_MS)
          : watch.targetMs;
        const rows = await this.finals.between(watch.view, afterMs, throughMs);
        for (const part of splitByCompletion(rows, throughMs, this.limits.rowsPerEvent)) {
          const mine = part.rows.filter((final) => keysMatch(watch.keys, final.row));
          if (
            !this.sendFinal(
              subscriber,
              watch,
              part.throughMs,
              mine.map((final) => final.json),
            )
          )
            return;
        }
      }
    } catch (error) {
      this.onError(error); // the next poll resumes from sentThroughMs
    } finally {
      watch.pumping = false;
    }
  }

  private sendFinal(subscriber: Subscriber, watch: WatchState, throughMs: number, rows: string[]): boolean {
    watch.sentThroughMs = throughMs;
    const sent = subscriber.client.send(finalEvent(watch.view, throughMs, rows, idOf(subscriber, watch)));
    if (sent) this.metrics.streamEvents.inc({ event: 'final' });
    return sent;
  }

  private sendProvisionalSnapshot(subscriber: Subscriber, watch: WatchState): void {
    watch.live = true;
    if (this.provisional === undefined) return;
    const tailMs = completionTailMs(watch.view);
    const afterMs = Math.max(watch.sentThroughMs, this.completeByJob.get(watch.job) ?? -Infinity);
    const fromMs = Number.isFinite(tailMs) ? afterMs - tailMs + 1 : -Infinity;
    const rows = this.provisional
      .rowsOf(watch.view, { fromMs, toMs: Infinity }, afterMs)
      .filter((row) => this.stillProvisional(watch, row))
      .map((row) => rowJson(watch.view, row, 'provisional'));
    this.sendProvisional(subscriber, provisionalEvent(watch.view, this.provisional.asOfMs(watch.view), rows));
  }

  private provisionalChanged(change: ProvisionalChange): void {
    const json = new Map<ViewRow, string>();
    for (const subscriber of this.subscribers)
      for (const watch of subscriber.watches) {
        if (watch.view !== change.view || !watch.live) continue;
        const rows = change.rows.filter((row) => this.stillProvisional(watch, row));
        if (rows.length === 0) continue;
        const texts = rows.map(
          (row) => json.get(row) ?? json.set(row, rowJson(change.view, row, 'provisional')).get(row)!,
        );
        this.sendProvisional(subscriber, provisionalEvent(change.view, change.asOfMs, texts));
      }
  }

  /** Of the watch's keys, and of a window whose final has not been sent (nor is in storage). */
  private stillProvisional(watch: WatchState, row: ViewRow): boolean {
    const completeMs = Math.max(watch.sentThroughMs, this.completeByJob.get(watch.job) ?? -Infinity);
    return keysMatch(watch.keys, row) && completeAtMs(watch.view, row) > completeMs;
  }

  private sendProvisional(subscriber: Subscriber, text: string): void {
    if (subscriber.client.send(text)) this.metrics.streamEvents.inc({ event: 'provisional' });
  }
}

/** The completeness of a job is the same for all its views: one of them answers for it. */
const JOB_PROBE_VIEW = new Map<JobName, string>();
for (const name of VIEW_NAMES) {
  const job = viewSpec(name).job;
  if (!JOB_PROBE_VIEW.has(job)) JOB_PROBE_VIEW.set(job, name);
}

function keysMatch(keys: Readonly<Record<string, string>>, row: ViewRow): boolean {
  for (const column in keys) if (String(row[column]) !== keys[column]) return false;
  return true;
}

function idOf(subscriber: Subscriber, watch: WatchState): string {
  if (!subscriber.multi) return String(watch.sentThroughMs);
  return subscriber.watches
    .filter((each) => Number.isFinite(each.sentThroughMs))
    .map((each) => `${each.view}:${each.sentThroughMs}`)
    .join(',');
}
