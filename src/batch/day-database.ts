/**
 * The DuckDB database one job's share of a day is computed in. A day at 10,000 events/s is 864 M events,
 * more than memory holds, so the database is a file in a fresh temporary directory: the loaded events
 * live on disk, DuckDB keeps at most `memoryLimit` of them and of the queries' sorts and hash tables in
 * memory, and spills the rest into the same directory. Otherwise it is the oracle's session: the oracle's
 * `events` columns and prelude, and one thread (the same input gives byte-identical rows). `close`
 * deletes the directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ViewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import { EVENT_COLUMNS } from '../oracle/events-table.ts';
import { queryViewRows } from '../oracle/oracle-session.ts';
import { PRELUDE_SQL } from '../oracle/queries.ts';

/** DuckDB's `memory_limit` for a day's database unless asked otherwise (docs/batch.md "Memory"). */
export const DEFAULT_MEMORY_LIMIT = '1GB';

export interface DayDatabaseOptions {
  /** DuckDB's `memory_limit`, e.g. `512MB`, `2GB`. */
  memoryLimit: string;
  sessionGapMs: number;
}

export interface DayDatabase {
  connection: DuckDBConnection;
  /** The directory of the database file and its spill files, deleted by `close`. */
  dir: string;
  /** One view's query, its rows as plain values, checked to have the catalog's columns in order. */
  queryView(spec: ViewSpec): Promise<ViewRow[]>;
  close(): Promise<void>;
}

/** A table of the database file, not a TEMP one as the oracle's: the loaded events live on disk. */
const EVENTS_TABLE_SQL = `CREATE TABLE events (${EVENT_COLUMNS.map(({ name, sqlType }) => `"${name}" ${sqlType}`).join(', ')})`;

export async function openDayDatabase(options: DayDatabaseOptions): Promise<DayDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'speed-layer-batch-db-'));
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  const close = async (): Promise<void> => {
    connection?.closeSync();
    instance?.closeSync();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    instance = await DuckDBInstance.create(join(dir, 'day.duckdb'), {
      threads: '1',
      memory_limit: options.memoryLimit,
      temp_directory: join(dir, 'spill'),
    });
    connection = await instance.connect();
    await connection.run(EVENTS_TABLE_SQL);
    await connection.run(PRELUDE_SQL);
    await connection.run(`SET VARIABLE session_gap_ms = ${options.sessionGapMs}::BIGINT`);
  } catch (error) {
    await close();
    throw error;
  }
  const open = connection;
  return {
    connection: open,
    dir,
    queryView: (spec) => queryViewRows(open, spec),
    close,
  };
}
