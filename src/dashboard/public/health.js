/**
 * The two panels that are not views: the processor's jobs (GET /v1/jobs, proxied from `run`'s /healthz
 * and /metrics) and the alerts (GET /v1/alerts; 404 means no alert rules are configured).
 */
import { ApiError, getJson } from './api.js';
import { formatValue, showNote, showTable } from './render.js';

/**
 * @typedef {object} JobStatus
 * @property {string} job
 * @property {string} state
 * @property {number | null} lag
 * @property {number | null} last_commit_age_s
 * @property {boolean | null} caught_up
 * @property {number | null} records_per_s
 * @property {Record<string, number>} dead_letters
 * @property {string | null} problem
 */
/** @typedef {{ rule: string, severity: string, key: Record<string, string>, state: 'firing' | 'resolved', since: string }} Alert */

/** A key as text: `user_id=u-17`, `–` for a rule without key columns. @param {Record<string, string>} key */
const keyText = (key) =>
  Object.entries(key)
    .map(([column, value]) => `${column}=${value}`)
    .join(', ') || '–';

/** @param {HTMLElement} section */
export async function refreshJobs(section) {
  try {
    /** @type {{ configured: boolean, status: string | null, jobs: JobStatus[], message?: string }} */
    const answer = await getJson('/v1/jobs');
    section.dataset.configured = String(answer.configured);
    section.dataset.jobs = String(answer.jobs.length);
    section.dataset.status = answer.status ?? '';
    const rows = answer.jobs.map((job) => ({
      job: job.job,
      state: job.caught_up === true ? `${job.state}, caught up` : job.state,
      lag: job.lag,
      records_per_s: job.records_per_s,
      last_commit: job.last_commit_age_s === null ? null : `${Math.round(job.last_commit_age_s)} s ago`,
      dead_letters:
        Object.entries(job.dead_letters)
          .map(([reason, count]) => `${reason} ${formatValue(count, 'count')}`)
          .join(', ') || '0',
    }));
    showTable(
      section,
      'Per job: state, records behind, throughput, last commit, dead letters by reason',
      [
        { label: 'job', column: 'job', format: 'text' },
        { label: 'state', column: 'state', format: 'text' },
        { label: 'lag', column: 'lag', format: 'count' },
        { label: 'records/s', column: 'records_per_s', format: 'count' },
        { label: 'last commit', column: 'last_commit', format: 'text' },
        { label: 'dead letters', column: 'dead_letters', format: 'text' },
      ],
      rows,
    );
    const problems = answer.jobs.flatMap((job) =>
      job.problem === null ? [] : [`${job.job}: ${job.problem}`],
    );
    const note = answer.configured
      ? (answer.message ?? problems.join(' · ')) || `status ${answer.status}`
      : 'Not connected to the jobs: start serve with --jobs-url http://127.0.0.1:9464 (npm start does).';
    showNote(section, note, 'ready');
  } catch (error) {
    showNote(section, `jobs: ${/** @type {Error} */ (error).message}`, 'error');
  }
}

/** @param {HTMLElement} section */
export async function refreshAlerts(section) {
  try {
    /** @type {{ alerts: Alert[] }} */
    const answer = await getJson('/v1/alerts');
    const firing = answer.alerts.filter((alert) => alert.state === 'firing');
    section.dataset.configured = 'true';
    section.dataset.firing = String(firing.length);
    const ordered = [...firing, ...answer.alerts.filter((alert) => alert.state !== 'firing')];
    showTable(
      section,
      'Firing first, then recently resolved',
      [
        { label: 'state', column: 'state', format: 'text' },
        { label: 'severity', column: 'severity', format: 'text' },
        { label: 'rule', column: 'rule', format: 'text' },
        { label: 'key', column: 'key', format: 'text' },
        { label: 'since (UTC)', column: 'since', format: 'text' },
      ],
      ordered.map((alert) => ({
        ...alert,
        key: keyText(alert.key),
        since: alert.since.slice(0, 19).replace('T', ' '),
      })),
    );
    section
      .querySelectorAll('tbody tr')
      .forEach((row, i) => row.classList.toggle('firing', i < firing.length));
    showNote(section, firing.length === 0 ? 'nothing firing' : `${firing.length} firing`, 'ready');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      section.dataset.configured = 'false';
      section.dataset.firing = '0';
      section.querySelector('table')?.replaceChildren();
      showNote(section, 'No alert rules are configured (serve --alerts FILE).', 'ready');
      return;
    }
    showNote(section, `alerts: ${/** @type {Error} */ (error).message}`, 'error');
  }
}
