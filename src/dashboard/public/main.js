/**
 * The page: reads the range and course from its address, loads every panel's views for that range
 * (GET /v1/views/{view}), then keeps them live over one event stream (/v1/stream, resuming right after
 * the rows it read) or, where the server has no stream route (404), by reading them again every 5 s.
 */
import { authHeaders, fetchViewRows, getJson, takeTokenFromAddress } from './api.js';
import { createChart } from './chart.js';
import { bindControls, listCourses, readAddress, showBounds } from './controls.js';
import { refreshAlerts, refreshJobs } from './health.js';
import { PANELS, PANEL_VIEWS } from './panels.js';
import { panelShell, showFigures, showNote, showTable } from './render.js';
import {
  applyAnswer,
  applyFinal,
  applyProvisional,
  dropBefore,
  emptyViewRows,
  rangeOf,
  rowsIn,
} from './rows.js';
import { chartData } from './series.js';
import { openStream } from './sse.js';

const POLL_MS = 5000;
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {Map<string, import('./rows.js').ViewRows>} */
const views = new Map();
/** @type {Map<string, string>} view → why its last read failed */
const failures = new Map();
/** @type {Map<string, { section: HTMLElement, chart?: ReturnType<typeof createChart> }>} */
const shown = new Map();
const courses = new Set();
const page = {
  choice: { preset: '1h', from: '', to: '' },
  course: '',
  range: { fromMs: 0, toMs: 0 },
  /** @type {'connecting' | 'stream' | 'poll' | 'reconnecting'} */
  live: 'connecting',
};

/** The key filters of a view: the course, where the view has one. @param {string} view @returns {Record<string, string>} */
const keysOf = (view) =>
  page.course !== '' && views.get(view)?.keyColumns.includes('course_id') ? { course_id: page.course } : {};

/** @returns {boolean} false (and says why) when the custom range is not one */
function updateRange() {
  const range = rangeOf(page.choice, Date.now());
  if ('error' in range) {
    showStatus(range.error);
    return false;
  }
  page.range = range;
  document.body.dataset.from = new Date(range.fromMs).toISOString();
  document.body.dataset.to = new Date(range.toMs).toISOString();
  return true;
}

/** @param {string} [message] */
function showStatus(message) {
  const status = $('status');
  status.dataset.live = page.live;
  const how = {
    connecting: 'connecting…',
    stream: 'live',
    poll: `live (reading every ${POLL_MS / 1000} s)`,
    reconnecting: 'reconnecting…',
  };
  const time = (/** @type {number} */ ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  status.textContent =
    message ?? `${how[page.live]} · ${time(page.range.fromMs)} – ${time(page.range.toMs)} UTC`;
}

/** @param {import('./panels.js').PanelSpec} panel */
function renderPanel(panel) {
  const target = shown.get(panel.id);
  if (target === undefined) return;
  const rowsByView = Object.fromEntries(
    panel.views.map((view) => [view, rowsIn(views.get(view) ?? emptyViewRows([]), page.range, keysOf(view))]),
  );
  showFigures(target.section, panel.figures(rowsByView));
  const first = views.get(panel.views[0] ?? '');
  const watermarks = panel.views
    .map((view) => views.get(view)?.completeThroughMs ?? null)
    .filter((ms) => ms !== null);
  const throughMs = watermarks.length === 0 ? null : Math.min(...watermarks);
  const boundaryMs = first?.boundaryMs ?? null;
  const iso = (/** @type {number | null} */ ms) => (ms === null ? '' : new Date(ms).toISOString());
  Object.assign(target.section.dataset, { completeThrough: iso(throughMs), boundary: iso(boundaryMs) });
  if (panel.chart !== undefined && target.chart !== undefined) {
    const lines = panel.chart.map((line) => ({ rows: rowsByView[line.view] ?? [], measure: line.measure }));
    const marks = [
      ...(throughMs === null
        ? []
        : [{ ms: throughMs, label: 'complete through', color: '#1b1b1b', dash: [] }]),
      ...(boundaryMs === null
        ? []
        : [{ ms: boundaryMs, label: 'batch | speed', color: '#CC79A7', dash: [4, 3] }]),
    ];
    target.chart.update(chartData(lines), page.range, marks);
  }
  if (panel.table !== undefined)
    showTable(target.section, panel.table.caption, panel.table.columns, panel.table.rows(rowsByView));
  const failed = panel.views.flatMap((view) =>
    failures.has(view) ? [`${view}: ${failures.get(view)}`] : [],
  );
  const allCourses =
    page.course !== '' && panel.views.every((view) => !views.get(view)?.keyColumns.includes('course_id'));
  const note = [
    throughMs === null
      ? 'no complete window yet'
      : `complete through ${iso(throughMs).slice(0, 16).replace('T', ' ')} UTC`,
    ...(allCourses ? ['all courses (these views have no course)'] : []),
  ].join(' · ');
  showNote(
    target.section,
    failed.length > 0 ? failed.join('; ') : note,
    failed.length > 0 ? 'error' : 'ready',
  );
}

let renderQueued = false;
function renderSoon() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    PANELS.forEach(renderPanel);
  });
}

function updateCourses() {
  for (const view of views.values())
    if (view.keyColumns.includes('course_id'))
      for (const row of view.rows.values()) courses.add(String(row.course_id));
  listCourses(courses, page.course);
}

let loadGeneration = 0;

/** Reads every view for the current range and course; an answer to an older read is dropped. */
async function loadViews() {
  if (!updateRange()) return;
  const generation = ++loadGeneration;
  const answers = await Promise.all(
    PANEL_VIEWS.map((name) =>
      fetchViewRows(name, page.range, keysOf(name)).then(
        (answer) => ({ name, answer }),
        (/** @type {Error} */ error) => ({ name, error: error.message }),
      ),
    ),
  );
  if (generation !== loadGeneration) return;
  for (const result of answers) {
    const view = views.get(result.name);
    if (view === undefined) continue;
    if ('answer' in result) {
      applyAnswer(view, result.answer);
      failures.delete(result.name);
    } else failures.set(result.name, result.error);
  }
  updateCourses();
  PANELS.forEach(renderPanel);
  showStatus();
  // Counts finished reads, so a test (or a curious reader) can tell when a change has been applied.
  document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1);
}

function startLive() {
  const resumeAt = PANEL_VIEWS.flatMap((name) => {
    const throughMs = views.get(name)?.completeThroughMs;
    return throughMs === null || throughMs === undefined ? [] : [`${name}:${throughMs}`];
  });
  openStream(
    `/v1/stream?views=${PANEL_VIEWS.join(',')}`,
    { ...(resumeAt.length === 0 ? {} : { lastEventId: resumeAt.join(',') }), headers: authHeaders() },
    {
      onEvent(event) {
        const data = JSON.parse(event.data);
        const view = views.get(data.view);
        if (view === undefined) return;
        if (event.event === 'final') applyFinal(view, data);
        else if (event.event === 'provisional') applyProvisional(view, data);
        renderSoon();
      },
      onStatus(status) {
        page.live = status === 'open' ? 'stream' : status === 'unavailable' ? 'poll' : 'reconnecting';
        showStatus();
      },
    },
  );
}

function refreshHealth() {
  const section = (/** @type {string} */ id) => /** @type {HTMLElement} */ (shown.get(id)?.section);
  return Promise.all([refreshJobs(section('jobs')), refreshAlerts(section('alerts'))]);
}

/** Every 5 s: the health panels; a sliding range moves on; without a stream the views are read again. */
async function tick() {
  const health = refreshHealth();
  if (page.live === 'poll') await loadViews();
  else if (page.choice.preset !== 'custom' && updateRange()) {
    for (const view of views.values()) dropBefore(view, page.range.fromMs);
    renderSoon();
    showStatus();
  }
  await health;
}

function buildPanels() {
  const main = $('panels');
  for (const panel of PANELS) {
    const section = panelShell({
      id: panel.id,
      title: panel.title,
      chart: panel.chart !== undefined,
      table: panel.table !== undefined,
    });
    main.append(section);
    const container = /** @type {HTMLElement | null} */ (section.querySelector('.chart'));
    shown.set(panel.id, {
      section,
      ...(container === null || panel.chart === undefined
        ? {}
        : {
            chart: createChart(
              container,
              panel.chart.map((line) => line.label),
            ),
          }),
    });
  }
  for (const { id, title } of [
    { id: 'jobs', title: 'Processor jobs' },
    { id: 'alerts', title: 'Alerts' },
  ]) {
    const section = panelShell({ id, title, table: true });
    main.append(section);
    shown.set(id, { section });
  }
}

async function main() {
  takeTokenFromAddress();
  const selection = readAddress();
  Object.assign(page, selection);
  try {
    /** @type {{ views: { name: string, key_columns: string[] }[] }} */
    const catalog = await getJson('/v1/views');
    for (const view of catalog.views) views.set(view.name, emptyViewRows(view.key_columns));
  } catch (error) {
    showStatus(`cannot read the catalog: ${/** @type {Error} */ (error).message}`);
    return;
  }
  buildPanels();
  bindControls(
    selection,
    () => page.range,
    (next) => {
      Object.assign(page, next);
      void loadViews();
    },
  );
  if (page.course !== '') courses.add(page.course);
  await Promise.all([loadViews(), refreshHealth()]);
  if (page.choice.preset === 'custom') showBounds(page.range);
  // Navigation start → every panel drawn: the page's load time (the browser test prints it).
  document.documentElement.dataset.loadMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
  startLive();
  setInterval(() => void tick(), POLL_MS);
}

void main();
