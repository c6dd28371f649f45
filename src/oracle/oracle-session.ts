/**
 * DuckDB plumbing for the oracle, kept out of the way of the queries. One in-memory instance per process
 * (creating one costs ~20 ms). A session is one connection with its own TEMP `events` table and the
 * prelude macros; runs borrow an idle session and empty its table afterwards, so the many small runs of
 * the property tests skip that setup, and concurrent runs never share a table. Queries are NOT prepared
 * once and reused: DuckDB plans with table statistics (a statement prepared over an empty table returns
 * no rows later), so each run plans its queries over the data it has.
 */
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { JOB_TOPICS } from '../events/topics.ts';
import { VIEW_SPECS, type ViewSpec } from '../events/view-catalog.ts';
import type { ViewRow } from '../events/view-dump.ts';
import { createEventsTableSql } from './events-table.ts';
import { PRELUDE_SQL, VIEW_QUERIES } from './queries.ts';

let instance: Promise<DuckDBInstance> | undefined;
const idleSessions: OracleSession[] = [];

export class OracleSession {
  private constructor(readonly connection: DuckDBConnection) {}

  static async open(): Promise<OracleSession> {
    instance ??= DuckDBInstance.create(':memory:');
    const connection = await (await instance).connect();
    // One DuckDB thread: parallel aggregation adds doubles in a varying order, so averages would differ in
    // the last bit from run to run; single-threaded, the same input gives byte-identical dumps. It also
    // makes small runs faster, and the queries are a small part of a large run (≈ 2 s of 19 for 1M).
    await connection.run('SET threads = 1');
    await connection.run(createEventsTableSql());
    await connection.run(PRELUDE_SQL);
    return new OracleSession(connection);
  }

  appender(): Promise<DuckDBAppender> {
    return this.connection.createAppender('events', 'main', 'temp');
  }

  async setSessionGap(sessionGapMs: number): Promise<void> {
    await this.connection.run(`SET VARIABLE session_gap_ms = ${sessionGapMs}::BIGINT`);
  }

  /** Runs one view's query and checks it returns exactly the catalog's columns, in order. */
  queryView(spec: ViewSpec): Promise<ViewRow[]> {
    return queryViewRows(this.connection, spec);
  }

  /**
   * Every view's rows. A view whose job has no accepted event on any of its topics has no input, hence no
   * row, and is not queried (this keeps small runs fast; the result is the same).
   */
  async queryAllViews(acceptedTopics: ReadonlySet<string>): Promise<Map<string, ViewRow[]>> {
    const rowsByView = new Map<string, ViewRow[]>();
    for (const spec of VIEW_SPECS) {
      const hasInput = JOB_TOPICS[spec.job].some((topic) => acceptedTopics.has(topic));
      rowsByView.set(spec.name, hasInput ? await this.queryView(spec) : []);
    }
    return rowsByView;
  }
}

/** Lends an idle session (or opens one) to `work`; a session whose run failed is closed, not reused. */
export async function withSession<T>(work: (session: OracleSession) => Promise<T>): Promise<T> {
  const session = idleSessions.pop() ?? (await OracleSession.open());
  let result: T;
  try {
    result = await work(session);
  } catch (error) {
    session.connection.closeSync();
    throw error;
  }
  await session.connection.run('TRUNCATE events');
  idleSessions.push(session);
  return result;
}

/** One view's query on `connection`, checked to return the catalog's columns in order; BIGINTs as numbers. */
export async function queryViewRows(connection: DuckDBConnection, spec: ViewSpec): Promise<ViewRow[]> {
  const reader = await connection.runAndReadAll(VIEW_QUERIES.get(spec.name)!);
  const expected = spec.columns.map((column) => column.name);
  const actual = reader.columnNames();
  if (actual.join(',') !== expected.join(',')) {
    throw new Error(
      `${spec.name}: query returns [${actual.join(', ')}], catalog has [${expected.join(', ')}]`,
    );
  }
  return reader.getRowObjectsJS().map((row) => {
    const out: ViewRow = {};
    for (const name of expected) {
      const value = row[name];
      // BIGINT/HUGEINT come back as bigint; rows hold plain numbers (counts and sums stay below 2^53).
      out[name] = typeof value === 'bigint' ? Number(value) : (value as ViewRow[string]);
    }
    return out;
  });
}
