/**
 * The dashboard in Debian's Chromium (playwright-core) over real data: a generated backlog on the
 * stack's Kafka, the five jobs settled over it into S3, `serve` on a free port wired to the jobs'
 * health. The page loads without console errors; every panel's figures (its `data-*` attributes) equal
 * what the API answers for the same range, computed here independently from the API's rows; the
 * course filter changes the course panels to that course's rows; a preset range is read the same way.
 * Screenshots at desktop and phone width go to test-results/ (the desktop one to docs/dashboard.png
 * when that is missing or UPDATE_SCREENSHOTS=1).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { batchLayoutOf } from '../../src/batch/batch-layout.ts';
import { startJobs } from '../../src/processor/runner/supervisor.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { layoutOf } from '../../src/processor/runtime/settings.ts';
import { startServe, type RunningServe } from '../../src/serving/run-serve.ts';
import { launchChromium } from './chromium.ts';
import { expectedFigures, type ApiRows } from './dashboard-expected.ts';
import {
  createFixture,
  fixtureSettings,
  produceBackfill,
  SETTLE_TIMEOUT_MS,
  waitFor,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');
const ROOT = resolve(import.meta.dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
const VIEWS = [
  'auth_realtime_active_users_1min',
  'auth_realtime_active_users_5min',
  'auth_realtime_login_rate',
  'auth_realtime_failed_logins',
  'assessment_realtime_submissions_1min',
  'assessment_realtime_grading_queue',
  'video_realtime_concurrent_viewers',
  'video_realtime_viewers_1min',
  'video_realtime_popular_videos',
  'course_realtime_active_courses_1min',
  'course_realtime_enrollment_rate',
  'notification_realtime_delivery_status',
  'notification_realtime_click_rate_5min',
];
const COURSE_VIEWS = new Set([
  'assessment_realtime_submissions_1min',
  'assessment_realtime_grading_queue',
  'course_realtime_active_courses_1min',
  'course_realtime_enrollment_rate',
]);

let serve: RunningServe;

/** Jobs settled over a generated backlog, serve over their store, Chromium; all stopped when the test ends. */
async function startEverything(): Promise<Browser> {
  const fixture = await createFixture(endpoints);
  await produceBackfill(endpoints, fixture, 20_000, 300);
  const settings = fixtureSettings(fixture, {
    batchPrefix: `runs/${fixture.id}/batch_views/`,
    reconciliationPrefix: `runs/${fixture.id}/reconciliation/`,
  });
  const logger = createLogger({ level: 'warn', format: 'json' });
  const jobs = await startJobs({ settings, endpoints, logger });
  onTestFinished(() => jobs.stop());
  await waitFor('every job caught up, idle and committed', () => jobs.settled(), SETTLE_TIMEOUT_MS);
  serve = await startServe({
    store: fixture.store,
    layout: layoutOf(settings),
    batchLayout: batchLayoutOf(settings),
    host: '127.0.0.1',
    port: 0,
    jobsUrl: jobs.httpUrl,
    logger,
  });
  onTestFinished(() => serve.close());
  const browser = await launchChromium();
  onTestFinished(() => browser.close());
  return browser;
}

async function apiRows(range: { from: string; to: string }, course?: string): Promise<ApiRows> {
  const entries = await Promise.all(
    VIEWS.map(async (view) => {
      const query = new URLSearchParams({ ...range, limit: '10000' });
      if (course !== undefined && COURSE_VIEWS.has(view)) query.set('course_id', course);
      const answer = (await (await fetch(`${serve.url}/v1/views/${view}?${query}`)).json()) as {
        rows: ApiRows[string];
        page: { next_cursor: string | null };
      };
      expect(answer.page.next_cursor).toBeNull();
      return [view, answer.rows] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Every panel's data attributes, by panel id. */
function shownFigures(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.$$eval('section[data-panel]', (sections) =>
    Object.fromEntries(sections.map((section) => [section.dataset.panel!, { ...section.dataset }])),
  );
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_match, c: string) => c.toUpperCase());

/** Compares the page with the API, figure by figure (numbers to 9 digits: sums in another order). */
async function expectPanelsMatchApi(page: Page, course?: string): Promise<void> {
  const range = await page.$eval('body', (body) => ({ from: body.dataset.from!, to: body.dataset.to! }));
  const expected = expectedFigures(await apiRows(range, course));
  const shown = await shownFigures(page);
  for (const [panel, figures] of Object.entries(expected)) {
    expect(shown[panel]?.state, `${panel} state`).toBe('ready');
    for (const [name, value] of Object.entries(figures)) {
      const actual = shown[panel]?.[camel(name)];
      if (typeof value === 'number') expect(Number(actual), `${panel} ${name}`).toBeCloseTo(value, 9);
      else expect(actual, `${panel} ${name}`).toBe(value ?? '');
    }
  }
}

async function loadsAfter(page: Page, change: () => Promise<unknown>): Promise<void> {
  const before = await page.$eval('body', (body) => Number(body.dataset.loads ?? 0));
  await change();
  await page.waitForSelector(`body:not([data-loads="${before}"])`, { timeout: 120_000 });
}

describe('the dashboard in a browser', () => {
  it('shows the API’s numbers in every panel, follows the course filter and the range picker', async () => {
    const browser = await startEverything();
    const latest = (await (await fetch(`${serve.url}/v1/views/auth_realtime_login_rate/latest`)).json()) as {
      rows: { window_end: string }[];
    };
    const toMs = Date.parse(latest.rows[0]!.window_end);
    const range = { from: new Date(toMs - 3_600_000).toISOString(), to: new Date(toMs).toISOString() };
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // No alert rules configured (and a server without the stream route, which the page polls) answer 404.
      const expected404 =
        /\/v1\/(alerts|stream)\b/.test(message.location().url) && message.text().includes('404');
      if (!expected404) problems.push(`console: ${message.text()} (${message.location().url})`);
    });

    await page.goto(`${serve.url}/?${new URLSearchParams({ range: 'custom', ...range })}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    const loadMs = await page.$eval('html', (html) => Number(html.dataset.loadMs));
    process.stderr.write(`[dashboard] page load, navigation start → all panels rendered: ${loadMs} ms\n`);

    expect(await page.$eval('body', (body) => [body.dataset.from, body.dataset.to])).toEqual([
      range.from,
      range.to,
    ]);
    // Live: over the event stream, or reading again every 5 s where the server has none.
    await page.waitForSelector('#status[data-live="stream"], #status[data-live="poll"]', { timeout: 60_000 });
    await expectPanelsMatchApi(page);
    const jobsPanel = await page.$eval('section[data-panel="jobs"]', (section) => ({ ...section.dataset }));
    expect(jobsPanel).toMatchObject({ state: 'ready', configured: 'true', jobs: '5' });
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'dashboard-1280x800.png') });
    await page.screenshot({ path: join(RESULTS, 'dashboard-1280-full.png'), fullPage: true });
    // The README's picture: refreshed on request only, so a test run leaves the working tree clean.
    const readmePicture = join(ROOT, 'docs/dashboard.png');
    if (!existsSync(readmePicture) || process.env.UPDATE_SCREENSHOTS === '1')
      copyFileSync(join(RESULTS, 'dashboard-1280x800.png'), readmePicture);

    await page.keyboard.press('Tab');
    expect(await page.$eval(':focus', (element) => element.id)).toBe('range');

    const courses = await page.$$eval('#course option', (options) =>
      options.map((option) => option.getAttribute('value') ?? '').filter((value) => value !== ''),
    );
    expect(courses.length).toBeGreaterThan(1);
    const allSubmissions = (await shownFigures(page)).submissions!.submissions;
    await loadsAfter(page, () => page.selectOption('#course', courses[0]!));
    await expectPanelsMatchApi(page, courses[0]);
    expect((await shownFigures(page)).submissions!.submissions).not.toBe(allSubmissions);
    expect(page.url()).toContain(`course=${courses[0]}`);

    await loadsAfter(page, () => page.selectOption('#course', ''));
    await loadsAfter(page, () => page.selectOption('#range', '24h'));
    await expectPanelsMatchApi(page);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500);
    // One column: every panel starts at the same x.
    const lefts = await page.$$eval('section[data-panel]', (sections) =>
      sections.map((section) => Math.round(section.getBoundingClientRect().x)),
    );
    expect(new Set(lefts).size).toBe(1);
    await page.screenshot({ path: join(RESULTS, 'dashboard-390x844.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
