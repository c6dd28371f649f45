/**
 * A classic single-file Delta checkpoint (PROTOCOL.md "Checkpoints"): one Parquet row per action of the
 * snapshot (protocol, metaData, txns, live adds, unexpired removes), each row with exactly one non-null
 * struct column. hyparquet-writer writes the nested schema (structs, map<string,string>, a 3-level list);
 * Spark reads it by field name, so optional fields we never write (tags, deletionVector, …) are simply
 * absent. Column statistics are off: a checkpoint is read whole, and nested-leaf statistics would only be
 * one more thing a reader's predicate pushdown could trust.
 */
import type { SchemaElement } from 'hyparquet';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { Action } from './actions.ts';
import { DeltaError } from './delta-error.ts';
import type { DeltaSnapshot } from './snapshot.ts';

const OPTIONAL = 'OPTIONAL' as const;
type Node = SchemaElement[];

const str = (name: string): Node => [
  { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: OPTIONAL },
];
const long = (name: string): Node => [{ name, type: 'INT64', repetition_type: OPTIONAL }];
const int = (name: string): Node => [{ name, type: 'INT32', repetition_type: OPTIONAL }];
const bool = (name: string): Node => [{ name, type: 'BOOLEAN', repetition_type: OPTIONAL }];
const struct = (name: string, ...fields: Node[]): Node => [
  { name, repetition_type: OPTIONAL, num_children: fields.length },
  ...fields.flat(),
];
const stringMap = (name: string): Node => [
  { name, repetition_type: OPTIONAL, converted_type: 'MAP', num_children: 1 },
  { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
  { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'value', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: OPTIONAL },
];
const stringList = (name: string): Node => [
  { name, repetition_type: OPTIONAL, converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: OPTIONAL },
];

/** The top-level columns in the order Delta writes them, each a struct named after its action. */
const COLUMNS: Record<string, Node> = {
  txn: struct('txn', str('appId'), long('version'), long('lastUpdated')),
  add: struct(
    'add',
    str('path'),
    stringMap('partitionValues'),
    long('size'),
    long('modificationTime'),
    bool('dataChange'),
    str('stats'),
  ),
  remove: struct(
    'remove',
    str('path'),
    long('deletionTimestamp'),
    bool('dataChange'),
    bool('extendedFileMetadata'),
    stringMap('partitionValues'),
    long('size'),
  ),
  metaData: struct(
    'metaData',
    str('id'),
    str('name'),
    str('description'),
    struct('format', str('provider'), stringMap('options')),
    str('schemaString'),
    stringList('partitionColumns'),
    stringMap('configuration'),
    long('createdTime'),
  ),
  protocol: struct('protocol', int('minReaderVersion'), int('minWriterVersion')),
};

const SCHEMA: SchemaElement[] = [
  { name: 'spark_schema', num_children: Object.keys(COLUMNS).length },
  ...Object.values(COLUMNS).flat(),
];

/** The actions a checkpoint of `snapshot` holds; tombstones older than `tombstonesSinceMs` are dropped. */
export function checkpointActions(snapshot: DeltaSnapshot, tombstonesSinceMs: number): Action[] {
  const actions: Action[] = [];
  if (snapshot.protocol !== undefined) actions.push({ protocol: snapshot.protocol });
  if (snapshot.metaData !== undefined) actions.push({ metaData: snapshot.metaData });
  for (const txn of snapshot.txns.values()) actions.push({ txn });
  for (const add of snapshot.files.values()) actions.push({ add });
  for (const remove of snapshot.tombstones.values())
    if (remove.deletionTimestamp >= tombstonesSinceMs) actions.push({ remove });
  return actions;
}

const LONG_FIELDS = new Set([
  'version',
  'lastUpdated',
  'size',
  'modificationTime',
  'deletionTimestamp',
  'createdTime',
]);

/** int64 fields go to hyparquet-writer as bigint; everything else as it is. */
function physical(action: Action): Record<string, unknown> {
  const [kind, value] = Object.entries(action)[0] as [string, Record<string, unknown>];
  const row: Record<string, unknown> = {};
  for (const [field, fieldValue] of Object.entries(value))
    row[field] = LONG_FIELDS.has(field) && typeof fieldValue === 'number' ? BigInt(fieldValue) : fieldValue;
  return { [kind]: row };
}

export function encodeCheckpoint(actions: readonly Action[]): Buffer {
  const rows = actions.map(physical);
  const columnData: ColumnSource[] = Object.keys(COLUMNS).map((name) => ({
    name,
    data: rows.map((row) => row[name] ?? null) as ColumnSource['data'],
  }));
  const arrayBuffer = parquetWriteBuffer({
    columnData,
    schema: SCHEMA,
    codec: 'SNAPPY',
    statistics: false,
    // `<app> version <v>`: the form parquet-mr parses (PARQUET-251) without a warning.
    createdBy: 'lms-speed-layer-delta-checkpoint version 1',
  });
  return Buffer.from(arrayBuffer);
}

const MAP_FIELDS = new Set(['partitionValues', 'options', 'configuration']);

/**
 * hyparquet's value → the action's JSON shape: bigint → number (every long of the log is a size, a time
 * or a version, all below 2^53); struct fields that are null are left out, map entries keep their nulls.
 */
function logical(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(logical);
  if (typeof value !== 'object' || value === null) return value;
  const fields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (MAP_FIELDS.has(name) && typeof field === 'object' && field !== null) fields[name] = { ...field };
    else if (field !== null && field !== undefined) fields[name] = logical(field);
  }
  return fields;
}

/** The actions of a checkpoint file (ours or Spark's: unknown columns are ignored). */
export async function decodeCheckpoint(body: Uint8Array, key: string): Promise<Action[]> {
  try {
    const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
    const metadata = parquetMetadata(file);
    const rows = await parquetReadObjects({ file, metadata, columns: Object.keys(COLUMNS) });
    const actions: Action[] = [];
    for (const row of rows)
      for (const kind of Object.keys(COLUMNS)) {
        const value: unknown = row[kind];
        if (value !== null && value !== undefined) actions.push({ [kind]: logical(value) } as Action);
      }
    return actions;
  } catch (error) {
    throw new DeltaError('corrupt_log', `delta: cannot read checkpoint ${key}`, { cause: error });
  }
}
