/** A shared in-memory DuckDB for the io tests: reads Parquet and NDJSON files the way any outside reader would. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

let connection: Promise<DuckDBConnection> | undefined;

function connect(): Promise<DuckDBConnection> {
  connection ??= DuckDBInstance.create(':memory:').then((instance) => instance.connect());
  return connection;
}

/** Rows as JSON-friendly objects (BIGINT as string, TIMESTAMP WITH TIME ZONE as text). */
export async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await (await connect()).runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
