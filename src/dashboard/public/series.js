/**
 * Rows → what a chart or a figure shows (pure: unit tested). A chart point is one window: its value over
 * every key of that window (a sum, a count of keys, or a ratio of sums); it is final when all its rows
 * are, and is drawn in the final series or the provisional one, never both — except that the provisional
 * line starts at the last final point, so the dashed part continues the solid one.
 */
import { startMsOf } from './rows.js';

/** @typedef {import('./rows.js').Row} Row */
/**
 * How a window's rows make one value: the sum of a column, the number of distinct values of a column
 * (e.g. active courses), or sum(numerator) / sum(denominator).
 * @typedef {{ sum: string } | { distinct: string } | { ratio: [string, string] }} Measure
 */

/** @param {readonly Row[]} rows @param {string} column */
export function sum(rows, column) {
  let total = 0;
  for (const row of rows) total += Number(row[column] ?? 0);
  return total;
}

/** @param {readonly Row[]} rows @param {Measure} measure @returns {number | null} */
export function measureOf(rows, measure) {
  if ('sum' in measure) return sum(rows, measure.sum);
  if ('distinct' in measure) return new Set(rows.map((row) => row[measure.distinct])).size;
  const denominator = sum(rows, measure.ratio[1]);
  return denominator === 0 ? null : sum(rows, measure.ratio[0]) / denominator;
}

/**
 * The mean of `column` weighted by `weight` (e.g. the average score over scored events), null without weight.
 * @param {readonly Row[]} rows @param {string} column @param {string} weight
 */
export function weightedMean(rows, column, weight) {
  let total = 0;
  let weights = 0;
  for (const row of rows) {
    const w = Number(row[weight] ?? 0);
    if (w > 0 && row[column] !== null && row[column] !== undefined) {
      total += Number(row[column]) * w;
      weights += w;
    }
  }
  return weights === 0 ? null : total / weights;
}

/** @param {readonly Row[]} rows @param {string} column @param {'min' | 'max'} which */
export function extreme(rows, column, which) {
  const values = rows.map((row) => row[column]).filter((value) => typeof value === 'number');
  return values.length === 0 ? null : Math[which](.../** @type {number[]} */ (values));
}

/** The rows of the newest window (or session start) among `rows`. @param {readonly Row[]} rows */
export function newestWindow(rows) {
  const newestMs = Math.max(...rows.map(startMsOf));
  return rows.filter((row) => startMsOf(row) === newestMs);
}

/**
 * Chart data for uPlot: x in seconds (every window start of any line), then per line a final and a
 * provisional series, null where the line has no such point.
 * @param {readonly { rows: readonly Row[], measure: Measure }[]} lines rows oldest first, as rowsIn gives them
 * @returns {{ xs: number[], series: { final: (number | null)[], provisional: (number | null)[] }[] }}
 */
export function chartData(lines) {
  const points = lines.map(({ rows, measure }) => {
    /** @type {Map<number, Row[]>} */
    const windows = new Map();
    for (const row of rows) windows.set(startMsOf(row), [...(windows.get(startMsOf(row)) ?? []), row]);
    /** @type {Map<number, { value: number | null, final: boolean }>} */
    const byStart = new Map();
    for (const [startMs, windowRows] of windows)
      byStart.set(startMs, {
        value: measureOf(windowRows, measure),
        final: windowRows.every((row) => row.is_final !== false),
      });
    return byStart;
  });
  const starts = [...new Set(points.flatMap((byStart) => [...byStart.keys()]))].sort((a, b) => a - b);
  const series = points.map((byStart) => {
    const at = starts.map((start) => byStart.get(start));
    const final = at.map((point) => (point?.final === true ? point.value : null));
    // The dashed line starts at the last final point before a provisional one.
    const provisional = at.map((point, i) =>
      point !== undefined && (!point.final || at[i + 1]?.final === false) ? point.value : null,
    );
    return { final, provisional };
  });
  return { xs: starts.map((start) => start / 1000), series };
}
