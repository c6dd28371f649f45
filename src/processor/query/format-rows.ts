/**
 * Output formats of `query`: `json` = one docs/contract/record-files-and-dumps.md dump line per row (formatRow of src/events, so a
 * query's output and a replay/oracle dump compare line by line), `csv` (RFC 4180, header line, null as an
 * empty field), `table` (aligned columns for people, doubles rounded to 4 decimals).
 */
import type { ViewSpec } from '../../events/view-catalog.ts';
import { formatRow, type ViewRow } from '../../events/view-dump.ts';

export const OUTPUT_FORMATS = ['json', 'table', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/** A value as text; timestamps as ISO-8601 UTC with milliseconds, as in dumps. */
function cellText(value: ViewRow[string] | undefined, type: string, roundDoubles: boolean): string {
  if (value === null || value === undefined) return '';
  if (type === 'timestamp') return new Date(Number(value)).toISOString();
  if (type === 'double' && roundDoubles) return String(Number(Number(value).toFixed(4)));
  return String(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatJsonLines(spec: ViewSpec, rows: readonly ViewRow[]): string[] {
  return rows.map((row) => formatRow(spec, row));
}

export function formatCsvLines(spec: ViewSpec, rows: readonly ViewRow[]): string[] {
  const header = spec.columns.map(({ name }) => csvField(name)).join(',');
  const body = rows.map((row) =>
    spec.columns.map(({ name, type }) => csvField(cellText(row[name], type, false))).join(','),
  );
  return [header, ...body];
}

export function formatTableLines(spec: ViewSpec, rows: readonly ViewRow[]): string[] {
  const numeric = spec.columns.map(({ type }) => type === 'int64' || type === 'double');
  const cells = rows.map((row) =>
    spec.columns.map(({ name, type }) => (row[name] === null ? 'null' : cellText(row[name], type, true))),
  );
  const header = spec.columns.map(({ name }) => name);
  const widths = header.map((name, index) =>
    Math.max(name.length, ...cells.map((line) => line[index]!.length)),
  );
  const line = (texts: readonly string[]): string =>
    texts
      .map((text, index) => (numeric[index] ? text.padStart(widths[index]!) : text.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line)];
}

export function formatRows(format: OutputFormat, spec: ViewSpec, rows: readonly ViewRow[]): string[] {
  if (format === 'json') return formatJsonLines(spec, rows);
  if (format === 'csv') return formatCsvLines(spec, rows);
  return formatTableLines(spec, rows);
}
