/**
 * The serving API as the page calls it (docs/serving.md). A server started with SERVE_TOKEN needs a
 * bearer token on /v1: the page takes it once from `#token=…` in its address, keeps it for the tab
 * (sessionStorage) and removes it from the address bar.
 */

/** @typedef {import('./rows.js').Row} Row */

const TOKEN_KEY = 'speed-layer-token';

export function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match === null) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1] ?? ''));
  history.replaceState(null, '', location.pathname + location.search);
}

/** @returns {Record<string, string>} */
export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET a JSON answer; a non-2xx answer throws ApiError with the API's own message. @param {string} path */
export async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json', ...authHeaders() } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const hint = response.status === 401 ? ' (open the page as …/#token=<SERVE_TOKEN>)' : '';
    throw new ApiError(response.status, `${response.status}: ${body.message ?? response.statusText}${hint}`);
  }
  return response.json();
}

/**
 * Every row of `view` for windows starting in [fromMs, toMs), all pages.
 * @param {string} view
 * @param {{ fromMs: number, toMs: number }} range
 * @param {Record<string, string>} keys key filters, e.g. { course_id: 'c-12' }
 * @returns {Promise<{ rows: Row[], complete_through: string | null, boundary: string | null }>}
 */
export async function fetchViewRows(view, range, keys) {
  const query = new URLSearchParams({
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    limit: '10000',
    ...keys,
  });
  /** @type {Row[]} */
  const rows = [];
  let cursor = null;
  let answer;
  do {
    if (cursor !== null) query.set('cursor', cursor);
    answer = await getJson(`/v1/views/${encodeURIComponent(view)}?${query}`);
    rows.push(...answer.rows);
    cursor = answer.page?.next_cursor ?? null;
  } while (cursor !== null);
  return { rows, complete_through: answer.complete_through, boundary: answer.boundary };
}
