/**
 * The dashboard live, in Debian's Chromium (playwright-core): the five jobs run with a short watermark
 * delay (5 s), `serve` reads their provisional topic and evaluates one alert rule, and the test produces
 * auth events stamped with the wall clock while the page is open.
 * - A login shows at once as a provisional point of the current minute of
 *   auth_realtime_active_users_1min (the "1 min" line of the Active users chart); once the minute is
 *   complete the same point is final, with the value the API answers and the users the test produced.
 * - Failed logins of one user make the rule on auth_realtime_failed_logins fire: the transition reaches a
 *   local webhook receiver and the alerts panel, with the rule and the user's key.
 * - Record → chart point latency (producing a login until its provisional point shows it) is measured
 *   and printed, never asserted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { parseAlertRules } from '../../src/alerts/alert-rules.ts';
import { DEFAULT_ALERTS_PREFIX } from '../../src/alerts/alert-log.ts';
import { batchLayoutOf } from '../../src/batch/batch-layout.ts';
import { provisionalTopic } from '../../src/processor/io/provisional-message.ts';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { layoutOf, type Settings } from '../../src/processor/runtime/settings.ts';
import { provisionalLookbackMs } from '../../src/serving/provisional-feed.ts';
import { startServe, type RunningServe } from '../../src/serving/run-serve.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import { webhookReceiver, type WebhookReceiver } from '../unit/webhook-receiver.ts';
import { launchChromium } from './chromium.ts';
import { waitForAlertRow, waitForPoint } from './dashboard-page.ts';
import { liveAuth, type LiveAuth } from './live-auth-events.ts';
import {
  createFixture,
  fixtureSettings,
  removeTestData,
  START_TIMEOUT_MS,
  type RunFixture,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const MINUTE_MS = 60_000;
/** Failed logins of one user in one minute that fire the rule. */
const THRESHOLD = 10;
/** Every wait: minutes, so that it holds on a busy machine; a passing test waits only as long as it takes. */
const WAIT_MS = 300_000;
/** Logins whose latency is measured, one after another, all in one minute. */
const SAMPLES = 5;
/** The "1 min" line of the Active users chart (panels.js). */
const ACTIVE_USERS_1MIN = { panel: 'active-users', line: 0 };

interface Live {
  fixture: RunFixture;
  serve: RunningServe;
  page: Page;
  hooks: WebhookReceiver;
  rule: string;
  problems: string[];
}

/** The rule file serve reads (as `serve --alerts` would): failed logins of `user` reaching the threshold. */
function alertRules(rule: string, user: string, webhook: string) {
  const file = {
    webhooks: [webhook],
    rules: [
      {
        name: rule,
        view: 'auth_realtime_failed_logins',
        where: { user_id: user },
        column: 'failed_attempts',
        op: '>=',
        threshold: THRESHOLD,
        severity: 'critical',
      },
    ],
  };
  return parseAlertRules(JSON.stringify(file), 'dashboard-live rules');
}

/** What serve writes besides the fixture's prefixes: the provisional topic and this rule's alert log. */
function removeServeData(fixture: RunFixture, settings: Settings, rule: string): void {
  onTestFinished(async () => {
    const logged = await fixture.store.list(DEFAULT_ALERTS_PREFIX);
    await fixture.store.deleteMany(logged.filter((key) => key.includes(`/${rule}.`)));
    await removeTestData(endpoints, {
      topics: [provisionalTopic(settings.topicPrefix)],
      groupIds: [],
      prefix: `runs/${fixture.id}/`,
    });
  });
}

/** Jobs, serve (provisional rows, the rule, a webhook receiver), Chromium on the page; all stopped at the end. */
async function startLive(attacker: string): Promise<Live> {
  const fixture = await createFixture(endpoints);
  // D = 5 s and a short idle timeout: a minute is complete a few seconds after it ends.
  const settings = fixtureSettings(fixture, {
    watermarkDelay: '5s',
    idleTimeout: '3s',
    batchPrefix: `runs/${fixture.id}/batch_views/`,
    reconciliationPrefix: `runs/${fixture.id}/reconciliation/`,
  });
  const rule = `failed_logins_${fixture.id}`;
  removeServeData(fixture, settings, rule);
  const hooks = await webhookReceiver();
  const logger = createLogger({ level: 'warn', format: 'json' });
  const jobs = await startJobs({ settings, endpoints, store: fixture.store, logger });
  onTestFinished(() => jobs.stop());
  const serve = await startServe({
    store: fixture.store,
    layout: layoutOf(settings),
    batchLayout: batchLayoutOf(settings),
    host: '127.0.0.1',
    port: 0,
    jobsUrl: jobs.httpUrl,
    alerts: alertRules(rule, attacker, hooks.url),
    provisional: {
      kafka: createKafka(endpoints.kafka, 'dashboard-live-serve'),
      topic: provisionalTopic(settings.topicPrefix),
      lookbackMs: provisionalLookbackMs({
        sessionGapMs: settings.sessionGap,
        watermarkDelayMs: settings.watermarkDelay,
      }),
    },
    logger,
  });
  onTestFinished(() => serve.close());
  const browser = await launchChromium();
  onTestFinished(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  await page.goto(`${serve.url}/?range=15m`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT_MS });
  // The stream is open: from here on the page hears every provisional and final row.
  await page.waitForSelector('#status[data-live="stream"]', { timeout: WAIT_MS });
  return { fixture, serve, page, hooks, rule, problems };
}

/** Waits until the current minute has at least `leftMs` to go; returns that minute's start. */
async function minuteWithTimeLeft(leftMs: number): Promise<number> {
  const intoMs = Date.now() % MINUTE_MS;
  if (MINUTE_MS - intoMs < leftMs) await sleep(MINUTE_MS - intoMs + 100);
  return Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
}

/**
 * Logins of new users in the minute `windowStartMs`, one at a time: each one's latency is the time
 * from handing it to the producer until the page shows the minute's point counting it. Returns the
 * latencies and whether each point was seen provisional; stops early when the minute nears its end.
 */
async function measureLatencies(page: Page, auth: LiveAuth, id: string, windowStartMs: number) {
  const samples: { latencyMs: number; provisional: boolean }[] = [];
  for (let i = 0; i < SAMPLES && Date.now() < windowStartMs + MINUTE_MS - 20_000; i++) {
    const startMs = Date.now();
    const eventMs = await auth.login(`u${id}-reader-${i}`);
    expect(Math.floor(eventMs / MINUTE_MS) * MINUTE_MS).toBe(windowStartMs);
    const point = await waitForPoint(
      page,
      { ...ACTIVE_USERS_1MIN, windowStartMs, atLeast: auth.usersInMinute(windowStartMs) },
      WAIT_MS,
    );
    samples.push({ latencyMs: Date.now() - startMs, provisional: !point.final });
  }
  return samples;
}

/** Failed logins of `user`, one a second until stopped: every minute from the first full one fires. */
function startAttack(auth: LiveAuth, user: string): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await auth.failedLogin(user);
      await sleep(1000);
    }
  })();
  const stop = async () => {
    stopped = true;
    await loop;
  };
  onTestFinished(stop);
  return stop;
}

describe('the dashboard while events arrive', () => {
  it(
    'shows a provisional point turn final, an alert from failed logins, and how fast a record shows',
    async () => {
      const attackerId = `attacker-${Date.now().toString(36)}`;
      const live = await startLive(attackerId);
      const { page, fixture } = live;
      const auth = await liveAuth(endpoints, fixture);

      // 1. A provisional point of the current minute, then the same point final.
      const windowStartMs = await minuteWithTimeLeft(40_000);
      const samples = await measureLatencies(page, auth, fixture.id, windowStartMs);
      expect(samples.length).toBeGreaterThan(0);
      // The first login is seen 20 s or more before its minute can complete: its point is provisional.
      expect(samples[0]!.provisional).toBe(true);
      const stopAttack = startAttack(auth, attackerId);

      const final = await waitForPoint(page, { ...ACTIVE_USERS_1MIN, windowStartMs, final: true }, WAIT_MS);
      const range = new URLSearchParams({
        from: new Date(windowStartMs).toISOString(),
        to: new Date(windowStartMs + MINUTE_MS).toISOString(),
      });
      const answer = (await (
        await fetch(`${live.serve.url}/v1/views/auth_realtime_active_users_1min?${range}`)
      ).json()) as { rows: { active_users: number; is_final: boolean }[] };
      expect(answer.rows).toHaveLength(1);
      expect(answer.rows[0]).toMatchObject({ is_final: true, active_users: final.value });
      expect(final.value).toBe(auth.usersInMinute(windowStartMs));

      // 2. The alert: at the webhook, with the rule and the user's key, and in the alerts panel.
      const key = { user_id: attackerId };
      await expect
        .poll(() => live.hooks.received.find((hook) => hook.body.state === 'firing'), {
          timeout: WAIT_MS,
          interval: 250,
        })
        .toBeDefined();
      const hook = live.hooks.received.find((received) => received.body.state === 'firing')!;
      expect(hook.body).toMatchObject({
        rule: live.rule,
        key,
        severity: 'critical',
        view: 'auth_realtime_failed_logins',
      });
      expect(hook.headers['idempotency-key']).toBe(hook.body.id);
      const rows = hook.body.rows as { user_id: string; failed_attempts: number }[];
      expect(rows[0]).toMatchObject({ user_id: attackerId, is_final: true });
      expect(rows[0]!.failed_attempts).toBeGreaterThanOrEqual(THRESHOLD);
      const shown = await waitForAlertRow(
        page,
        { rule: live.rule, key: `user_id=${attackerId}`, state: 'firing' },
        WAIT_MS,
      );
      expect(shown.severity).toBe('critical');
      expect(Number(await page.$eval('section[data-panel="alerts"]', (s) => s.dataset.firing))).toBe(1);
      await stopAttack();
      expect(live.problems).toEqual([]);

      // 3. Latency, reported only.
      const latencies = samples.map((sample) => sample.latencyMs);
      const sorted = [...latencies].sort((a, b) => a - b);
      process.stderr.write(
        `[dashboard live] record → provisional chart point: ${latencies.join(', ')} ms ` +
          `(min ${sorted[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}; ` +
          `${samples.length} logins, each produced after the previous one showed)\n`,
      );
    },
    START_TIMEOUT_MS + 4 * WAIT_MS,
  );
});
