/**
 * The rows the page holds per view, as the serving API and its stream give them (pure: no DOM, unit
 * tested). One row per (window start, key); a final row replaces anything, a provisional row only a
 * provisional one, and provisional rows go once the view's completeness watermark passes their window.
 */

/** @typedef {string | number | boolean | null} Cell */
/** @typedef {Record<string, Cell>} Row */
/**
 * @typedef {object} ViewRows
 * @property {readonly string[]} keyColumns
 * @property {Map<string, Row>} rows
 * @property {number | null} completeThroughMs the view's completeness watermark (null before the first)
 * @property {number | null} boundaryMs where the batch layer's days end (null: no batch day)
 */

/** @param {Cell | undefined} iso */
export const msOf = (iso) => (typeof iso === 'string' ? Date.parse(iso) : Number.NaN);

/** When a row's window (or session) starts, ms since the epoch. */
export const startMsOf = (/** @type {Row} */ row) => msOf(row.window_start ?? row.session_start);

/** @param {Row} row @param {readonly string[]} keyColumns */
export function rowKey(row, keyColumns) {
  return JSON.stringify([row.window_start ?? row.session_start, ...keyColumns.map((key) => row[key])]);
}

/** @param {readonly string[]} keyColumns @returns {ViewRows} */
export function emptyViewRows(keyColumns) {
  return { keyColumns, rows: new Map(), completeThroughMs: null, boundaryMs: null };
}

/**
 * The answer of GET /v1/views/{view} (all its pages) replaces what the view held.
 * @param {ViewRows} view
 * @param {{ rows: Row[], complete_through: string | null, boundary: string | null }} answer
 */
export function applyAnswer(view, answer) {
  view.rows.clear();
  for (const row of answer.rows) view.rows.set(rowKey(row, view.keyColumns), row);
  view.completeThroughMs = answer.complete_through === null ? null : msOf(answer.complete_through);
  view.boundaryMs = answer.boundary === null ? null : msOf(answer.boundary);
}

/**
 * A `final` event: complete rows, and the watermark they complete through. Provisional rows of windows
 * that ended by then are gone (their final rows came in this event or an earlier one).
 * @param {ViewRows} view
 * @param {{ rows: Row[], complete_through: string }} event
 */
export function applyFinal(view, event) {
  for (const row of event.rows) view.rows.set(rowKey(row, view.keyColumns), row);
  const throughMs = msOf(event.complete_through);
  if (Number.isFinite(throughMs))
    view.completeThroughMs = Math.max(view.completeThroughMs ?? throughMs, throughMs);
  for (const [key, row] of view.rows) {
    const endMs = msOf(row.window_end ?? row.session_end);
    if (row.is_final === false && view.completeThroughMs !== null && endMs <= view.completeThroughMs)
      view.rows.delete(key);
  }
}

/**
 * A `provisional` event: rows whose value changed. A window that is final already keeps its final row.
 * @param {ViewRows} view
 * @param {{ rows: Row[] }} event
 */
export function applyProvisional(view, event) {
  for (const row of event.rows) {
    const key = rowKey(row, view.keyColumns);
    if (view.rows.get(key)?.is_final !== true) view.rows.set(key, row);
  }
}

/**
 * The rows of windows starting in [fromMs, toMs) with the key filters, oldest first.
 * @param {ViewRows} view
 * @param {{ fromMs: number, toMs: number }} range
 * @param {Record<string, string>} [keys] column → value (compared as text, as the API does)
 */
export function rowsIn(view, range, keys = {}) {
  const filters = Object.entries(keys).filter(([column]) => view.keyColumns.includes(column));
  return [...view.rows.values()]
    .filter((row) => {
      const startMs = startMsOf(row);
      return (
        startMs >= range.fromMs && startMs < range.toMs && filters.every(([c, v]) => String(row[c]) === v)
      );
    })
    .sort((a, b) => startMsOf(a) - startMsOf(b));
}

/** The time ranges of the picker. */
export const PRESETS_MS = { '15m': 15 * 60_000, '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000 };

/**
 * The range a choice of the picker stands for at `nowMs`: the last N minutes up to now, or the custom
 * bounds. Null (with a reason) for custom bounds that are not a range.
 * @param {{ preset: string, from?: string, to?: string }} choice
 * @param {number} nowMs
 * @returns {{ fromMs: number, toMs: number } | { error: string }}
 */
export function rangeOf(choice, nowMs) {
  const size = /** @type {Record<string, number>} */ (PRESETS_MS)[choice.preset];
  if (size !== undefined) return { fromMs: nowMs - size, toMs: nowMs };
  const fromMs = msOf(choice.from ?? null);
  const toMs = msOf(choice.to ?? null);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs))
    return { error: 'custom range: give a start and an end' };
  if (fromMs >= toMs) return { error: 'custom range: the start must be before the end' };
  return { fromMs, toMs };
}

/** Forgets rows of windows that started before `fromMs` (a sliding range left them behind). @param {ViewRows} view @param {number} fromMs */
export function dropBefore(view, fromMs) {
  for (const [key, row] of view.rows) if (startMsOf(row) < fromMs) view.rows.delete(key);
}
