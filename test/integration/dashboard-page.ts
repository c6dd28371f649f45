/**
 * Reading the live dashboard from a test: a chart's points (the `data-points` its element carries, as
 * series.js chartData makes them) and the rows of the alerts panel. The waits poll until what the test
 * asks for is shown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

export interface ChartPoint {
  value: number;
  /** Drawn on the solid (final) line; false: on the dashed (provisional) one. */
  final: boolean;
}

export interface PointQuery {
  /** `data-panel` of the section, e.g. `active-users`. */
  panel: string;
  /** Index of the line in the panel's chart (panels.js `chart`). */
  line: number;
  /** Start of the point's window. */
  windowStartMs: number;
  /** Only a point with at least this value. */
  atLeast?: number;
  /** Only a final (true) or a provisional (false) point. */
  final?: boolean;
}

type ChartData = { xs: number[]; series: { final: (number | null)[]; provisional: (number | null)[] }[] };

/** The point a chart draws at `query`'s window, if any (the query's conditions not applied). */
export async function chartPoint(page: Page, query: PointQuery): Promise<ChartPoint | undefined> {
  const chart = await page.$(`section[data-panel="${query.panel}"] .chart`);
  const points = await chart?.evaluate((element) => element.dataset.points as string | undefined);
  if (points === undefined) return undefined;
  const data = JSON.parse(points) as ChartData;
  const i = data.xs.indexOf(query.windowStartMs / 1000);
  const line = data.series[query.line];
  if (i < 0 || line === undefined) return undefined;
  const final = line.final[i] ?? null;
  const provisional = line.provisional[i] ?? null;
  if (final !== null) return { value: final, final: true };
  return provisional === null ? undefined : { value: provisional, final: false };
}

/**
 * The point of `query`'s window once it satisfies the query. Polls every 50 ms from here (the page's own
 * timers are not touched), so a measured delay is at most that much late.
 */
export async function waitForPoint(page: Page, query: PointQuery, timeoutMs: number): Promise<ChartPoint> {
  const deadline = Date.now() + timeoutMs;
  let point: ChartPoint | undefined;
  for (;;) {
    point = await chartPoint(page, query);
    const wanted =
      point !== undefined &&
      (query.atLeast === undefined || point.value >= query.atLeast) &&
      (query.final === undefined || point.final === query.final);
    if (wanted) return point!;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${JSON.stringify(query)}; last seen ${JSON.stringify(point)}`,
      );
    await sleep(50);
  }
}

export interface AlertRow {
  state: string;
  severity: string;
  rule: string;
  key: string;
}

/** The rows of the alerts panel's table, as text. */
export function alertRows(page: Page): Promise<AlertRow[]> {
  return page.$$eval('section[data-panel="alerts"] tbody tr', (rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell) => String(cell.textContent ?? ''));
      return { state: cells[0] ?? '', severity: cells[1] ?? '', rule: cells[2] ?? '', key: cells[3] ?? '' };
    }),
  );
}

/** The alerts panel's row of `rule` and `key` (as the panel writes it, `user_id=u-1`) in `state`. */
export async function waitForAlertRow(
  page: Page,
  wanted: { rule: string; key: string; state: string },
  timeoutMs: number,
): Promise<AlertRow> {
  const deadline = Date.now() + timeoutMs;
  let rows: AlertRow[] = [];
  for (;;) {
    rows = await alertRows(page);
    const row = rows.find((r) => r.rule === wanted.rule && r.key === wanted.key && r.state === wanted.state);
    if (row !== undefined) return row;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${JSON.stringify(wanted)}; shown ${JSON.stringify(rows)}`,
      );
    await sleep(250);
  }
}
