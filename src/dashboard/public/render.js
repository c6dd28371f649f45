/**
 * The DOM of a panel: its heading, figures (each also a `data-<name>` attribute on the panel, the raw
 * number, so a test reads exactly what was computed), an optional chart and table, and a note line.
 */

/** @typedef {import('./panels.js').Figure} Figure */
/** @typedef {import('./panels.js').Format} Format */
/** @typedef {import('./panels.js').TableColumn} TableColumn */
/** @typedef {import('./rows.js').Row} Row */

/** @param {import('./rows.js').Cell | undefined} value @param {Format} format */
export function formatValue(value, format) {
  if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value)))
    return '–';
  if (format === 'time') return String(value).slice(0, 16).replace('T', ' ');
  if (typeof value !== 'number') return String(value);
  if (format === 'percent') return `${(value * 100).toFixed(1)} %`;
  if (format === 'decimal') return value.toFixed(1);
  if (format === 'seconds')
    return value >= 3600 ? `${(value / 3600).toFixed(1)} h` : `${Math.round(value / 60)} min`;
  return Math.round(value).toLocaleString('en-US');
}

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {string} [text]
 */
export function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * An empty panel: `<section data-panel=id>` with its heading, figures list, chart and table slots.
 * @param {{ id: string, title: string, chart?: boolean, table?: boolean }} spec
 */
export function panelShell(spec) {
  const headingId = `${spec.id}-title`;
  const section = element('section', {
    class: 'panel',
    'data-panel': spec.id,
    'data-state': 'loading',
    'aria-labelledby': headingId,
  });
  section.append(element('h2', { id: headingId }, spec.title), element('dl', { class: 'figures' }));
  if (spec.chart === true)
    section.append(element('div', { class: 'chart', role: 'img', 'aria-label': `${spec.title} over time` }));
  if (spec.table === true) {
    // A wide table scrolls inside its panel instead of widening the page.
    const wrap = element('div', { class: 'table-wrap' });
    wrap.append(element('table'));
    section.append(wrap);
  }
  section.append(element('p', { class: 'note' }));
  return section;
}

/** @param {HTMLElement} section @param {readonly Figure[]} figures */
export function showFigures(section, figures) {
  const list = section.querySelector('.figures');
  if (list === null) return;
  list.replaceChildren(
    ...figures.map((figure) => {
      const item = element('div');
      item.append(
        element('dt', {}, figure.label),
        element('dd', {}, formatValue(figure.value, figure.format)),
      );
      section.dataset[camel(figure.name)] = figure.value === null ? '' : String(figure.value);
      return item;
    }),
  );
}

/** `data-success-rate` is dataset.successRate. @param {string} name */
const camel = (name) => name.replace(/-([a-z0-9])/g, (_match, c) => c.toUpperCase());

/**
 * @param {HTMLElement} section
 * @param {string} caption
 * @param {readonly TableColumn[]} columns
 * @param {readonly Row[]} rows
 */
export function showTable(section, caption, columns, rows) {
  const table = section.querySelector('table');
  if (table === null) return;
  const head = element('tr');
  for (const column of columns)
    head.append(
      element('th', { scope: 'col', class: column.format === 'text' ? '' : 'number' }, column.label),
    );
  const body = rows.map((row) => {
    const line = element('tr', row.is_final === false ? { class: 'provisional' } : {});
    for (const column of columns)
      line.append(
        element(
          'td',
          { class: column.format === 'text' ? '' : 'number' },
          formatValue(row[column.column], column.format),
        ),
      );
    return line;
  });
  if (body.length === 0) {
    const empty = element('tr');
    empty.append(element('td', { colspan: String(columns.length) }, 'no rows in this range'));
    body.push(empty);
  }
  table.replaceChildren(element('caption', {}, caption), element('thead'), element('tbody'));
  table.tHead?.append(head);
  table.tBodies[0]?.append(...body);
}

/** @param {HTMLElement} section @param {string} text @param {'ready' | 'error'} state */
export function showNote(section, text, state) {
  const note = section.querySelector('.note');
  if (note !== null) note.textContent = text;
  section.dataset.state = state;
}
