/**
 * The raw archive as an outside reader gets it: DuckDB's plain `read_parquet` over `raw/<topic>/date=*\/*.parquet`
 * (copied to a local directory with the same layout), and the archive a run must leave: every record
 * the oracle accepted or found late, once, with its status.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SourceRecord } from '../../src/events/record.ts';
import type { ViewResult } from '../../src/events/view-result.ts';
import type { StorageLayout } from '../../src/storage/layout.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';

/** `topic:partition:offset status event_id` per archived row, sorted. */
export async function duckdbArchive(store: ObjectStore, layout: StorageLayout): Promise<string[]> {
  const keys = (await store.list(layout.rawPrefix)).filter((key) =>
    /^[^/]+\/date=\d{4}-\d{2}-\d{2}\/[^/]+\.parquet$/.test(key.slice(layout.rawPrefix.length)),
  );
  if (keys.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'duck-archive-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const key of keys) {
      const path = join(dir, key.slice(layout.rawPrefix.length));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, (await store.get(key))!);
    }
    const glob = join(dir, '*', 'date=*', '*.parquet').replaceAll("'", "''");
    const reader = await connection.runAndReadAll(
      `SELECT topic, "partition", "offset", speed_status, event_id FROM read_parquet('${glob}', union_by_name = true)`,
    );
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    return rows
      .map((row) => `${row.topic}:${row.partition}:${row.offset} ${row.speed_status} ${row.event_id}`)
      .sort();
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the archive must hold after all `records` ran: the oracle's accepted and late records, sorted. */
export function expectedArchive(records: readonly SourceRecord[], oracle: ViewResult): string[] {
  const reasons = new Map(oracle.rejected.map((r) => [`${r.topic}:${r.partition}:${r.offset}`, r.reason]));
  return records
    .flatMap((record) => {
      const position = `${record.topic}:${record.partition}:${record.offset}`;
      const reason = reasons.get(position);
      if (reason !== undefined && reason !== 'late') return [];
      const eventId = (JSON.parse(record.value as string) as { event_id: string }).event_id;
      return [`${position} ${reason === 'late' ? 'late' : 'accepted'} ${eventId}`];
    })
    .sort();
}
