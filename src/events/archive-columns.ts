/**
 * The master dataset's columns (docs/storage.md "Raw archive"): per topic, every field of its event types
 * as events.md types them — the envelope, then each type's own fields, nullable where a type lacks them —
 * then where the record came from and what the speed layer made of it. `event_time` stays the text the
 * producer sent (the contract's value; `event_time_ms` is its instant for partitioning and queries);
 * string arrays (`fields`) are JSON text.
 */
import { eventSchema } from './schemas.ts';
import { TOPIC_EVENT_TYPES, type Topic } from './topics.ts';
import type { ColumnType } from './view-catalog.ts';

/** A view column's types, plus `json`: a JSON value stored as its text. */
export type ArchiveColumnType = ColumnType | 'json';

export interface ArchiveColumn {
  name: string;
  type: ArchiveColumnType;
}

/** One archived event: field values as the event has them (string arrays for `json` columns). */
export type ArchiveRow = Record<string, string | number | null | string[]>;

/** `accepted` counted in the real-time views; `late`: valid, but after the watermark (the batch counts it). */
export type SpeedStatus = 'accepted' | 'late';

/** Where an archived event came from. */
export interface ArchivedRecordMeta {
  topic: Topic;
  partition: number;
  offset: number;
  recordTimestampMs: number;
  eventTimeMs: number;
  status: SpeedStatus;
}

const RECORD_COLUMNS: ArchiveColumn[] = [
  { name: 'event_time_ms', type: 'timestamp' },
  { name: 'topic', type: 'string' },
  { name: 'partition', type: 'int64' },
  { name: 'offset', type: 'int64' },
  { name: 'record_timestamp', type: 'timestamp' },
  { name: 'speed_status', type: 'string' },
];

function columnType(schema: Record<string, unknown>): ArchiveColumnType {
  const type = schema.type ?? (schema.const === undefined ? 'string' : typeof schema.const);
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('integer')) return 'int64';
  if (types.includes('number')) return 'double';
  if (types.includes('array')) return 'json';
  return 'string';
}

function eventColumns(topic: Topic): ArchiveColumn[] {
  const columns = new Map<string, ArchiveColumnType>();
  for (const type of TOPIC_EVENT_TYPES[topic]) {
    const properties = eventSchema(type).properties as Record<string, Record<string, unknown>>;
    for (const [name, schema] of Object.entries(properties))
      if (!columns.has(name)) columns.set(name, columnType(schema));
  }
  return [...columns].map(([name, type]) => ({ name, type }));
}

const COLUMNS = new Map<Topic, { event: ArchiveColumn[]; all: ArchiveColumn[] }>(
  (Object.keys(TOPIC_EVENT_TYPES) as Topic[]).map((topic) => {
    const event = eventColumns(topic);
    return [topic, { event, all: [...event, ...RECORD_COLUMNS] }];
  }),
);

/** The archive's columns for one topic, in order. */
export function archiveColumns(topic: Topic): readonly ArchiveColumn[] {
  return COLUMNS.get(topic)!.all;
}

/** One archived event as a row of its topic's archive (appendArchiveValues: the same values, by column). */
export function archiveRow(event: Readonly<Record<string, unknown>>, meta: ArchivedRecordMeta): ArchiveRow {
  const row: ArchiveRow = {};
  for (const { name } of COLUMNS.get(meta.topic)!.event) {
    // json columns take the JSON value itself: the Parquet writer stores its text.
    row[name] = (event[name] ?? null) as ArchiveRow[string];
  }
  row.event_time_ms = meta.eventTimeMs;
  row.topic = meta.topic;
  row.partition = meta.partition;
  row.offset = meta.offset;
  row.record_timestamp = meta.recordTimestampMs;
  row.speed_status = meta.status;
  return row;
}

/** One column's values of several archived events, in row order. */
export type ArchiveColumnValues = ArchiveRow[string][];

/**
 * archiveRow's values appended to `columns` (one array per column of archiveColumns, in its order):
 * the archive's conversion builds its row groups as columns, without an object per event.
 */
export function appendArchiveValues(
  columns: readonly ArchiveColumnValues[],
  event: Readonly<Record<string, unknown>>,
  meta: ArchivedRecordMeta,
): void {
  const eventColumns = COLUMNS.get(meta.topic)!.event;
  let index = 0;
  for (; index < eventColumns.length; index += 1)
    columns[index]!.push((event[eventColumns[index]!.name] ?? null) as ArchiveRow[string]);
  // RECORD_COLUMNS' order.
  columns[index]!.push(meta.eventTimeMs);
  columns[index + 1]!.push(meta.topic);
  columns[index + 2]!.push(meta.partition);
  columns[index + 3]!.push(meta.offset);
  columns[index + 4]!.push(meta.recordTimestampMs);
  columns[index + 5]!.push(meta.status);
}
