/**
 * The page's controls: the range picker (presets, or custom bounds in UTC) and the course filter, kept in
 * the address (`?range=custom&from=…&to=…&course=c-12`) so a view of the dashboard is a link.
 */

/** @typedef {{ preset: string, from: string, to: string }} Choice */
/** @typedef {{ choice: Choice, course: string }} Selection */

const $ = (/** @type {string} */ id) =>
  /** @type {HTMLElement & HTMLInputElement & HTMLSelectElement} */ (document.getElementById(id));

/** `datetime-local` holds a wall time without a zone: the page's are UTC. @param {number} ms */
const inputValue = (ms) => new Date(ms).toISOString().slice(0, 16);
/** @param {string} value */
const utcIso = (value) => (value === '' ? '' : new Date(`${value}Z`).toISOString());

/** @returns {Selection} */
export function readAddress() {
  const query = new URLSearchParams(location.search);
  return {
    choice: { preset: query.get('range') ?? '1h', from: query.get('from') ?? '', to: query.get('to') ?? '' },
    course: query.get('course') ?? '',
  };
}

/** @param {Selection} selection */
function writeAddress({ choice, course }) {
  const query = new URLSearchParams({ range: choice.preset });
  if (choice.preset === 'custom') {
    query.set('from', choice.from);
    query.set('to', choice.to);
  }
  if (course !== '') query.set('course', course);
  history.replaceState(null, '', `?${query}`);
}

/** Shows a range in the custom bounds' inputs. @param {{ fromMs: number, toMs: number }} range */
export function showBounds(range) {
  $('from').value = inputValue(range.fromMs);
  $('to').value = inputValue(range.toMs);
}

/** Adds the courses not listed yet to the filter, sorted, keeping the selected one. @param {Iterable<string>} courses @param {string} selected */
export function listCourses(courses, selected) {
  const select = $('course');
  const known = new Set([...select.options].map((option) => option.value));
  for (const course of [...courses].sort()) if (!known.has(course)) select.append(new Option(course, course));
  select.value = selected;
}

/**
 * @param {Selection} selection what the address said
 * @param {() => { fromMs: number, toMs: number }} shownRange the range on screen (to prefill custom bounds)
 * @param {(selection: Selection) => void} onChange called with the new selection, already in the address
 */
export function bindControls(selection, shownRange, onChange) {
  let current = selection;
  const change = (/** @type {Selection} */ next) => {
    current = next;
    writeAddress(next);
    onChange(next);
  };
  const range = $('range');
  const custom = $('custom');
  range.value = selection.choice.preset;
  custom.hidden = selection.choice.preset !== 'custom';
  range.addEventListener('change', () => {
    custom.hidden = range.value !== 'custom';
    if (range.value === 'custom') showBounds(shownRange());
    else change({ ...current, choice: { preset: range.value, from: '', to: '' } });
  });
  $('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    change({
      ...current,
      choice: { preset: 'custom', from: utcIso($('from').value), to: utcIso($('to').value) },
    });
  });
  $('course').addEventListener('change', () => change({ ...current, course: $('course').value }));
}
