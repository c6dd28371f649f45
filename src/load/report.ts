/** Output of a load run: aligned tables on stdout and one JSON file per scenario in the results folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadParams } from './load-params.ts';
import { loadAverage, machineInfo } from './machine.ts';

export type Cell = string | number | boolean | null | undefined;

function show(cell: Cell): string {
  if (cell === null || cell === undefined) return '–';
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toLocaleString('en-US') : String(cell);
  return String(cell);
}

/** A plain-text table: header, rule, rows; numbers right-aligned. */
export function formatTable(title: string, header: readonly string[], rows: readonly Cell[][]): string {
  const text = rows.map((row) => row.map(show));
  const widths = header.map((name, i) => Math.max(name.length, ...text.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[], numeric: readonly boolean[]) =>
    cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  const numeric = header.map((_, i) => rows.some((row) => typeof row[i] === 'number'));
  return [
    `\n${title}`,
    line(header, numeric),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...text.map((row) => line(row, numeric)),
  ].join('\n');
}

export function printTable(title: string, header: readonly string[], rows: readonly Cell[][]): void {
  process.stdout.write(`${formatTable(title, header, rows)}\n`);
}

/** Writes `<dir>/<scenario>-<time>.json` with the machine, load average and every parameter; returns the path. */
export async function writeResults(
  params: LoadParams,
  scenario: string,
  result: unknown,
  extra: Record<string, unknown> = {},
): Promise<string> {
  await mkdir(params.resultsDir, { recursive: true });
  const when = new Date().toISOString();
  const file = join(params.resultsDir, `load-${scenario}-${when.replace(/[:.]/g, '-')}.json`);
  const body = {
    scenario,
    when,
    machine: machineInfo(),
    loadAverage: loadAverage(),
    params,
    ...extra,
    result,
  };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
