/**
 * What a reader that knows nothing about the processor gets: DuckDB's plain `read_parquet` over each view's
 * reader-facing tree (`<view>/date=*\/*.parquet`, copied from the store to a local directory with the
 * same layout: DuckDB's S3 support is an extension these machines cannot download). No merging and no
 * completeness logic: a row published twice shows up twice, a partial row shows up as a wrong value.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { VIEW_SPECS, type ViewSpec } from '../../src/events/view-catalog.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import type { StorageLayout } from '../../src/storage/layout.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';

const READER_FILE = /^date=\d{4}-\d{2}-\d{2}\/[^/]+\.parquet$/;

function selectList(spec: ViewSpec): string {
  return spec.columns
    .map(({ name, type }) => (type === 'timestamp' ? `epoch_ms("${name}") AS "${name}"` : `"${name}"`))
    .join(', ');
}

function fromDuck(spec: ViewSpec, row: Record<string, unknown>): ViewRow {
  const out: ViewRow = {};
  for (const { name, type } of spec.columns) {
    const value = row[name];
    if (value === null || value === undefined) out[name] = null;
    else if (type === 'string') out[name] = String(value);
    else if (type === 'boolean') out[name] = value === true || value === 'true';
    else out[name] = Number(value);
  }
  return out;
}

/** Every view's rows as DuckDB reads the views tree of `layout` in `store`. */
export async function duckdbViews(
  store: ObjectStore,
  layout: StorageLayout,
): Promise<Map<string, ViewRow[]>> {
  const dir = await mkdtemp(join(tmpdir(), 'duck-views-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const rowsByView = new Map<string, ViewRow[]>();
    for (const spec of VIEW_SPECS) {
      const prefix = `${layout.viewsPrefix}${spec.name}/`;
      const keys = (await store.list(prefix)).filter((key) => READER_FILE.test(key.slice(prefix.length)));
      for (const key of keys) {
        const path = join(dir, spec.name, key.slice(prefix.length));
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, (await store.get(key))!);
      }
      if (keys.length === 0) {
        rowsByView.set(spec.name, []);
        continue;
      }
      const glob = join(dir, spec.name, 'date=*', '*.parquet').replaceAll("'", "''");
      const reader = await connection.runAndReadAll(
        `SELECT ${selectList(spec)} FROM read_parquet('${glob}')`,
      );
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      rowsByView.set(
        spec.name,
        rows.map((row) => fromDuck(spec, row)),
      );
    }
    return rowsByView;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
