/**
 * Our Parquet column types as a Delta table schema (PROTOCOL.md "Schema Serialization Format"), plus the
 * `date` partition column, which lives in the data file paths and not in the files.
 */
import { randomUUID } from 'node:crypto';
import type { ParquetColumn, ParquetColumnType } from '../parquet-columns.ts';
import type { MetaDataAction } from './actions.ts';
import { DeltaError } from './delta-error.ts';

export const PARTITION_COLUMN = 'date';

/** json columns hold JSON text, so Delta (like DuckDB) sees a string. */
export const DELTA_TYPES: Record<ParquetColumnType, string> = {
  timestamp: 'timestamp',
  int64: 'long',
  double: 'double',
  string: 'string',
  json: 'string',
  boolean: 'boolean',
};

interface StructField {
  name: string;
  type: string;
  nullable: boolean;
  metadata: Record<string, never>;
}

/** Spark's struct type JSON of the columns plus `date` (string), every field nullable. */
export function deltaSchemaString(columns: readonly ParquetColumn[]): string {
  const seen = new Set<string>([PARTITION_COLUMN]);
  for (const { name } of columns) {
    // Spark resolves column names case-insensitively: `Date` would shadow the partition column.
    const folded = name.toLowerCase();
    if (seen.has(folded))
      throw new DeltaError('invalid_request', `delta: column ${name} clashes with another column or "date"`);
    seen.add(folded);
  }
  const field = (name: string, type: string): StructField => ({ name, type, nullable: true, metadata: {} });
  const fields = [
    ...columns.map(({ name, type }) => field(name, DELTA_TYPES[type])),
    field(PARTITION_COLUMN, 'string'),
  ];
  return JSON.stringify({ type: 'struct', fields });
}

export interface TableIdentity {
  /** The table id, a UUID; default a random one (it only has to be unique per table). */
  id?: string;
  name?: string;
  createdTimeMs: number;
}

/** The metaData action of a table of these columns, partitioned by `date`. */
export function metaDataOf(columns: readonly ParquetColumn[], identity: TableIdentity): MetaDataAction {
  return {
    id: identity.id ?? randomUUID(),
    ...(identity.name === undefined ? {} : { name: identity.name }),
    format: { provider: 'parquet', options: {} },
    schemaString: deltaSchemaString(columns),
    partitionColumns: [PARTITION_COLUMN],
    configuration: {},
    createdTime: identity.createdTimeMs,
  };
}

/** Throws `schema_mismatch` unless the table's metaData has this schema and partitioning. */
export function checkSameSchema(table: string, existing: MetaDataAction, wanted: MetaDataAction): void {
  const same =
    fieldsOf(existing.schemaString) === fieldsOf(wanted.schemaString) &&
    JSON.stringify(existing.partitionColumns) === JSON.stringify(wanted.partitionColumns);
  if (!same)
    throw new DeltaError(
      'schema_mismatch',
      `delta: ${table} has schema ${existing.schemaString} partitioned by ${JSON.stringify(existing.partitionColumns)}; ` +
        `the writer has ${wanted.schemaString} (schema evolution is not supported)`,
    );
}

/** Name and type of each field, so formatting and nullability differences do not count as a change. */
function fieldsOf(schemaString: string): string {
  const parsed = JSON.parse(schemaString) as { fields?: { name?: unknown; type?: unknown }[] };
  return JSON.stringify((parsed.fields ?? []).map(({ name, type }) => [name, type]));
}
