/** `/v1/docs`: the OpenAPI paths as one plain HTML page (no scripts, nothing fetched). */
import type { OpenApiDocument } from './openapi.ts';

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function docsPage(document: OpenApiDocument): string {
  const sections = Object.entries(document.paths).map(([path, { get }]) => {
    const parameters = get!.parameters
      .map(
        (p) =>
          `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}${p.required ? ', required' : ''}</td><td>${escape(p.description ?? '')}</td></tr>`,
      )
      .join('');
    const responses = Object.entries(get!.responses)
      .map(([status, { description }]) => `<li><code>${status}</code> ${escape(description)}</li>`)
      .join('');
    const table =
      parameters === '' ? '' : `<table><tr><th>parameter</th><th>in</th><th></th></tr>${parameters}</table>`;
    return `<section><h2><code>GET ${escape(path)}</code></h2><p>${escape(get!.summary)}</p>${table}<ul>${responses}</ul></section>`;
  });
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escape(document.info.title)}</title>`,
    '<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}',
    'table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}</style>',
    `</head><body><h1>${escape(document.info.title)}</h1><p>${escape(document.info.description)}</p>`,
    '<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>',
    ...sections,
    '</body></html>',
  ].join('\n');
}
