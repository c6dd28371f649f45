/**
 * Fills the oracle's `events` table (src/oracle/events-table.ts) from archive Parquet files, in SQL: one
 * INSERT … SELECT per topic, each events column read from the archive column of the same name, and —
 * the oracle's rule — only for the event types that define it (an unknown extra field of that name on
 * another type stays out). Two columns are derived: `event_time_ms` (the archive has a timestamp) and
 * `fields_count` (the archive keeps `fields` as JSON text).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { archiveColumns } from '../events/archive-columns.ts';
import type { Topic } from '../events/topics.ts';
import { EVENT_COLUMNS } from '../oracle/events-table.ts';

/** Events columns computed from an archive column: the SQL, and the archive column it needs. */
const DERIVED: Record<string, { sql: string; from: string }> = {
  event_time_ms: { sql: 'epoch_ms(event_time_ms)', from: 'event_time_ms' },
  fields_count: { sql: 'json_array_length("fields")', from: 'fields' },
};

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The SELECT list mapping one topic's archive columns onto the events table, in its column order. */
export function eventsSelectList(topic: Topic): string {
  const present = new Set(archiveColumns(topic).map(({ name }) => name));
  return EVENT_COLUMNS.map(({ name, sqlType, carriers }) => {
    const derived = DERIVED[name];
    if (!present.has(derived?.from ?? name)) return `NULL::${sqlType} AS "${name}"`;
    const source = derived?.sql ?? `"${name}"`;
    const value =
      carriers === 'all'
        ? source
        : `CASE WHEN event_type IN (${carriers.map(quote).join(', ')}) THEN ${source} END`;
    return `CAST(${value} AS ${sqlType}) AS "${name}"`;
  }).join(',\n  ');
}

/** Appends the events of `paths` (files of `topic`'s archive) whose time is in [fromMs, toMs); returns how many. */
export async function loadArchiveEvents(
  connection: DuckDBConnection,
  topic: Topic,
  paths: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<number> {
  if (paths.length === 0) return 0;
  const sql =
    `INSERT INTO events SELECT\n  ${eventsSelectList(topic)}\n` +
    `FROM read_parquet([${paths.map(quote).join(', ')}], union_by_name = true)\n` +
    `WHERE epoch_ms(event_time_ms) >= ${fromMs} AND epoch_ms(event_time_ms) < ${toMs}`;
  const result = await connection.run(sql);
  return Number(result.rowsChanged);
}
