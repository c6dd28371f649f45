/**
 * The alerts inside `serve` (docs/alerts.md): on a timer, each rule whose view's completeness advanced
 * reads the newly complete windows through MergedRows and is evaluated (threshold-evaluation.ts,
 * absence-evaluation.ts); `on: provisional` rules also look at the ProvisionalRows source when serve
 * has one, on each change. Each transition is logged once (alert-log.ts), sent to the stream and, by
 * the process that logged it, to the webhooks. A rule's state is kept only once its transitions are
 * logged: a failed round is evaluated again next time, and the log's names keep that idempotent.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { viewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { MergedRows } from '../serving/merged-rows.ts';
import type { ProvisionalRows } from '../serving/provisional-rows.ts';
import { completionTailMs } from '../serving/view-windows.ts';
import {
  evaluateAbsence,
  initialAbsenceState,
  restoreAbsence,
  type AbsenceState,
} from './absence-evaluation.ts';
import { alertDocument, transitionOf, type AlertDocument } from './alert-document.ts';
import { DEFAULT_ALERTS_PREFIX, latestLogged, logTransition } from './alert-log.ts';
import { createAlertMetrics, type AlertMetrics } from './alert-metrics.ts';
import {
  describeRule,
  type AbsenceRule,
  type AlertRule,
  type AlertRules,
  type ThresholdRule,
} from './alert-rules.ts';
import { AlertStream } from './alert-stream.ts';
import type { Transition } from './alert-transition.ts';
import {
  EMPTY_THRESHOLD_STATE,
  evaluateThreshold,
  peekProvisional,
  restoreThreshold,
  type Evaluated,
  type ThresholdState,
  type ViewShape,
} from './threshold-evaluation.ts';
import { DEFAULT_WEBHOOK_OPTIONS, type WebhookOptions } from './webhook-delivery.ts';
import { WebhookDispatch } from './webhook-dispatch.ts';
import { AlertBoard } from './alert-board.ts';

export interface AlertServiceOptions {
  rules: AlertRules;
  rows: MergedRows;
  store: ObjectStore;
  logger: Logger;
  /** serve's metrics registry: the alert metrics join it. */
  registry: Registry;
  provisional?: ProvisionalRows;
  /** How often the completeness is looked at. Default 5 s. */
  intervalMs?: number;
  webhook?: Partial<WebhookOptions>;
  logPrefix?: string;
  /** The clock: no window starting after now is judged. Default Date.now. */
  nowMs?: () => number;
}

const DAY_MS = 86_400_000;
/** The longest range of windows one round judges; after a longer jump it starts again (lookBackMs). */
const MAX_RANGE_MS = DAY_MS;

/** Where judging starts: `for` windows (an absence rule: its duration) before the first open window. */
function lookBackMs(rule: AlertRule, toMs: number): number {
  const windows = rule.kind === 'threshold' ? rule.for : Math.ceil(rule.absentForMs / rule.stepMs);
  return toMs - windows * rule.stepMs;
}

interface RuleRun<R extends AlertRule, S> {
  rule: R;
  shape: ViewShape;
  state: S;
  /** The first window start not judged yet; null before the first round. */
  cursorMs: number | null;
  restored: Transition[];
}
type ThresholdRun = RuleRun<ThresholdRule, ThresholdState>;
type AbsenceRun = RuleRun<AbsenceRule, AbsenceState | null>;

export class AlertService {
  readonly stream = new AlertStream();
  private readonly metrics: AlertMetrics;
  private readonly runs: (ThresholdRun | AbsenceRun)[];
  private readonly board = new AlertBoard();
  private readonly webhooks: WebhookDispatch;
  private readonly prefix: string;
  private chain: Promise<void> = Promise.resolve();
  private roundQueued = false;
  private readonly peeksQueued = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: AlertServiceOptions) {
    this.prefix = options.logPrefix ?? DEFAULT_ALERTS_PREFIX;
    this.runs = options.rules.rules.map((rule) => {
      const spec = viewSpec(rule.view);
      const shape = { startColumn: spec.columns[0]!.name, keyColumns: spec.keys };
      return rule.kind === 'threshold'
        ? { rule, shape, state: EMPTY_THRESHOLD_STATE, cursorMs: null, restored: [] }
        : { rule, shape, state: null, cursorMs: null, restored: [] };
    });
    this.metrics = createAlertMetrics(options.registry, () => this.board.firingCounts(options.rules.rules));
    const webhook: WebhookOptions = { ...DEFAULT_WEBHOOK_OPTIONS, ...options.webhook };
    this.webhooks = new WebhookDispatch(webhook, this.metrics, options.logger);
  }

  /** Rebuilds the state from the log, evaluates once, then on the timer (and on provisional changes). */
  async start(): Promise<void> {
    const names = new Set(this.runs.map((run) => run.rule.name));
    for (const document of await latestLogged(this.options.store, names, this.prefix)) {
      this.board.note(document);
      this.runs.find((run) => run.rule.name === document.rule)!.restored.push(transitionOf(document));
    }
    for (const run of this.runs)
      if (run.rule.kind === 'threshold')
        for (const logged of run.restored)
          run.state = restoreThreshold(run.rule, run.state as ThresholdState, logged);
    await this.evaluateNow();
    this.timer = setInterval(() => void this.evaluateNow(), this.options.intervalMs ?? 5_000).unref();
    const watched = new Set(
      this.runs.flatMap(({ rule }) =>
        rule.kind === 'threshold' && rule.on === 'provisional' ? [rule.view] : [],
      ),
    );
    this.unsubscribe = this.options.provisional?.onChange(
      (change) => {
        // Changes come with every commit of a job: one look per view queued at a time is enough.
        if (this.peeksQueued.has(change.view)) return;
        this.peeksQueued.add(change.view);
        void this.enqueue(() => {
          this.peeksQueued.delete(change.view);
          return this.peekAll(change.view);
        });
      },
      (view) => watched.has(view),
    );
  }

  /** One round over every rule (queued behind a running one; a second queued round is the same round). */
  evaluateNow(): Promise<void> {
    if (this.roundQueued) return this.chain;
    this.roundQueued = true;
    return this.enqueue(async () => {
      this.roundQueued = false;
      const completeness = new Map<string, Promise<number>>();
      for (const run of this.runs) {
        try {
          let complete = completeness.get(run.rule.view);
          if (complete === undefined) {
            complete = this.completeThroughMs(run.rule.view);
            completeness.set(run.rule.view, complete);
          }
          await this.evaluateRule(run, await complete);
        } catch (error) {
          this.metrics.evaluationFailures.inc({ rule: run.rule.name });
          this.options.logger.warn(
            { err: error, rule: run.rule.name },
            'alert rule not evaluated; retried next round',
          );
        }
      }
    });
  }

  /** Waits for the webhook deliveries in flight (tests; a stop waits a bounded time). */
  async idle(): Promise<void> {
    await this.chain;
    await this.webhooks.drained();
  }

  async stop(waitForDeliveriesMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.chain;
    await this.webhooks.drained(waitForDeliveriesMs);
    this.stream.close();
  }

  /** GET /v1/alerts: the rules, then per (rule, key) its latest state, firing ones first. */
  snapshot(): { rules: Record<string, unknown>[]; alerts: AlertDocument[] } {
    return { rules: this.options.rules.rules.map(describeRule), alerts: this.board.alerts() };
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work, work);
    return this.chain;
  }

  private nowMs(): number {
    return (this.options.nowMs ?? Date.now)();
  }

  private async completeThroughMs(view: string): Promise<number> {
    return (await this.options.rows.rows({ view, fromMs: 0, toMs: 0 })).completeThroughMs;
  }

  private async evaluateRule(run: ThresholdRun | AbsenceRun, completeThroughMs: number): Promise<void> {
    if (completeThroughMs === -Infinity) return; // no completion yet
    const { rule } = run;
    const firstOpenMs = (timeMs: number) => (Math.floor(timeMs / rule.stepMs) + 1) * rule.stepMs;
    // A window is complete once complete_through reaches its end (+ a join bound): those starting at
    // or before W − tail. toMs is the first window start that is not, so ranges stay on the grid; no
    // later than now (an ended input completes everything, +∞).
    const toMs = Math.min(
      firstOpenMs(completeThroughMs - completionTailMs(rule.view)),
      firstOpenMs(this.nowMs()),
    );
    if (run.cursorMs === null) run.cursorMs = await this.firstCursor(run, toMs);
    // A jump of completeness beyond a day (a backfill) is not judged window by window: judging starts
    // again the look-back before it, as on a start.
    const fromMs = toMs - run.cursorMs > MAX_RANGE_MS ? lookBackMs(rule, toMs) : run.cursorMs;
    if (toMs > fromMs) {
      const answer = await this.options.rows.rows({ view: rule.view, fromMs, toMs, keys: rule.where });
      // Final rows only (a merge with a provisional source labels the others; none are in range).
      const rows = answer.rows
        .filter(({ source }) => String(source) !== 'provisional')
        .map(({ row, source }) => ({ ...row, source }));
      const range = { fromMs, toMs };
      const evaluated =
        run.rule.kind === 'threshold'
          ? evaluateThreshold(run.rule, run.shape, (run as ThresholdRun).state, rows, range)
          : evaluateAbsence(run.rule, run.shape.startColumn, (run as AbsenceRun).state!, rows, range);
      await this.record(rule, evaluated.transitions);
      run.state = evaluated.state;
      run.cursorMs = toMs;
    }
    if (rule.kind === 'threshold' && rule.on === 'provisional') await this.peek(run as ThresholdRun);
  }

  /**
   * Where a rule starts judging: `for` windows before the first incomplete one (so every evaluator of
   * the same rows sees an episode start the same), an absence rule's duration before it.
   */
  private async firstCursor(run: ThresholdRun | AbsenceRun, toMs: number): Promise<number> {
    const { rule } = run;
    if (rule.kind === 'threshold') return lookBackMs(rule, toMs);
    let cursorMs = lookBackMs(rule, toMs);
    const newest = await this.options.rows.latest({ view: rule.view, keys: rule.where });
    const seen = newest.rows.map(({ row }) => Number(row[run.shape.startColumn]));
    let state = initialAbsenceState(rule, seen.length === 0 ? null : Math.max(...seen), cursorMs);
    for (const logged of run.restored) {
      state = restoreAbsence(rule, state, logged);
      // A firing alert is resolved by a row after its start: look from there (a day at most).
      if (state.firing !== null) cursorMs = Math.min(cursorMs, Math.max(state.firing.sinceMs, toMs - DAY_MS));
    }
    (run as AbsenceRun).state = state;
    return cursorMs;
  }

  private async peekAll(view: string): Promise<void> {
    for (const run of this.runs)
      if (
        run.rule.kind === 'threshold' &&
        run.rule.on === 'provisional' &&
        run.rule.view === view &&
        run.cursorMs !== null
      )
        try {
          await this.peek(run as ThresholdRun);
        } catch (error) {
          this.metrics.evaluationFailures.inc({ rule: run.rule.name });
          this.options.logger.warn({ err: error, rule: run.rule.name }, 'provisional rows not evaluated');
        }
  }

  private async peek(run: ThresholdRun): Promise<void> {
    const source = this.options.provisional;
    if (source === undefined || run.cursorMs === null) return;
    const rows = source
      .rowsOf(run.rule.view, { fromMs: run.cursorMs, toMs: Infinity })
      .map((row): ViewRow => ({ ...row, source: 'provisional' }));
    const evaluated: Evaluated<ThresholdState> = peekProvisional(
      run.rule,
      run.shape,
      run.state,
      rows,
      run.cursorMs,
    );
    await this.record(run.rule, evaluated.transitions);
    run.state = evaluated.state;
  }

  private async record(rule: AlertRule, transitions: readonly Transition[]): Promise<void> {
    for (const transition of transitions) {
      const document = alertDocument(transition);
      const created = (await logTransition(this.options.store, document, this.prefix)) === 'created';
      if (this.board.note(document)) this.stream.publish(document);
      if (!created) continue; // another process (or this one before a restart) logged and delivered it
      this.metrics.transitions.inc({ rule: rule.name, state: transition.state });
      this.options.logger.info(
        {
          rule: rule.name,
          key: transition.key,
          state: transition.state,
          since: document.since,
          id: document.id,
        },
        'alert transition',
      );
      this.webhooks.send(rule.webhooks, document);
    }
  }
}
