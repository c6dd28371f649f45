/**
 * The one wide `events` table the 25 queries read: one row per accepted event, envelope columns plus every
 * type-specific column a view needs (NULL where the event's type does not carry it). A column is read
 * only from the types that define it in docs/contract/events.md, so an unknown extra field of the same name on another
 * type (allowed and ignored by the contract) never reaches a view.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import type { SourceRecord } from '../events/record.ts';
import type { EventType } from '../events/topics.ts';
import type { LmsEvent } from '../events/types.ts';

type SqlType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE';

interface EventColumn {
  name: string;
  sqlType: SqlType;
  /** The event types whose contract defines this field; `all` for envelope fields. */
  carriers: 'all' | readonly EventType[];
  read: (event: FieldBag, record: SourceRecord) => string | number | null | undefined;
}

/** A validated event seen as a bag of fields; which ones exist depends on its type. */
type FieldBag = Record<string, unknown>;

const ASSESSMENT_IDS: EventType[] = [
  'quiz_started',
  'quiz_completed',
  'assignment_submitted',
  'assignment_graded',
];
const SCORED: EventType[] = ['quiz_completed', 'assignment_graded'];
const VIDEO: EventType[] = ['video_play', 'video_pause', 'video_seek', 'video_heartbeat', 'video_complete'];
const NOTIFICATION: EventType[] = ['notification_sent', 'notification_delivered', 'notification_clicked'];

const field =
  (name: string) =>
  (event: FieldBag): string | number | null | undefined =>
    event[name] as string | number | null | undefined;

export const EVENT_COLUMNS: readonly EventColumn[] = [
  { name: 'topic', sqlType: 'VARCHAR', carriers: 'all', read: (_, record) => record.topic },
  { name: 'partition', sqlType: 'INTEGER', carriers: 'all', read: (_, record) => record.partition },
  { name: 'offset', sqlType: 'BIGINT', carriers: 'all', read: (_, record) => record.offset },
  { name: 'event_id', sqlType: 'VARCHAR', carriers: 'all', read: field('event_id') },
  { name: 'event_type', sqlType: 'VARCHAR', carriers: 'all', read: field('event_type') },
  /** event_time as epoch milliseconds (UTC). */
  { name: 'event_time_ms', sqlType: 'BIGINT', carriers: 'all', read: field('event_time') },
  { name: 'user_id', sqlType: 'VARCHAR', carriers: 'all', read: field('user_id') },
  { name: 'course_id', sqlType: 'VARCHAR', carriers: 'all', read: field('course_id') },
  { name: 'ip', sqlType: 'VARCHAR', carriers: ['login_success', 'login_failure'], read: field('ip') },
  { name: 'assessment_id', sqlType: 'VARCHAR', carriers: ASSESSMENT_IDS, read: field('assessment_id') },
  {
    name: 'submission_id',
    sqlType: 'VARCHAR',
    carriers: ['assignment_submitted', 'assignment_graded'],
    read: field('submission_id'),
  },
  { name: 'score', sqlType: 'DOUBLE', carriers: SCORED, read: field('score') },
  { name: 'max_score', sqlType: 'DOUBLE', carriers: SCORED, read: field('max_score') },
  { name: 'video_id', sqlType: 'VARCHAR', carriers: VIDEO, read: field('video_id') },
  { name: 'watched_s', sqlType: 'DOUBLE', carriers: ['video_heartbeat'], read: field('watched_s') },
  {
    name: 'material_id',
    sqlType: 'VARCHAR',
    carriers: ['material_accessed', 'resource_downloaded'],
    read: field('material_id'),
  },
  {
    name: 'material_type',
    sqlType: 'VARCHAR',
    carriers: ['material_accessed'],
    read: field('material_type'),
  },
  { name: 'bytes', sqlType: 'BIGINT', carriers: ['resource_downloaded'], read: field('bytes') },
  {
    name: 'fields_count',
    sqlType: 'INTEGER',
    carriers: ['profile_updated', 'preferences_updated'],
    read: (event) => (event.fields as string[]).length,
  },
  { name: 'notification_id', sqlType: 'VARCHAR', carriers: NOTIFICATION, read: field('notification_id') },
  { name: 'channel', sqlType: 'VARCHAR', carriers: NOTIFICATION, read: field('channel') },
];

/** `CREATE TABLE events (...)`, the shape any DuckDB can recreate (or read from the Parquet export). */
export function createEventsTableSql(tableName = 'events'): string {
  const columns = EVENT_COLUMNS.map(({ name, sqlType }) => `  "${name}" ${sqlType}`).join(',\n');
  return `CREATE TEMP TABLE ${tableName} (\n${columns}\n)`;
}

/** Per column, the set of types that carry it (null = every type), computed once. */
const CARRIER_SETS = EVENT_COLUMNS.map(({ carriers }) =>
  carriers === 'all' ? null : new Set<string>(carriers),
);

/** Appends one accepted event as one row, column by column (no intermediate row object). */
export function appendEvent(appender: DuckDBAppender, record: SourceRecord, event: LmsEvent): void {
  const bag = event as unknown as FieldBag;
  for (let i = 0; i < EVENT_COLUMNS.length; i++) {
    const column = EVENT_COLUMNS[i]!;
    const carriers = CARRIER_SETS[i];
    const value = !carriers || carriers.has(event.event_type) ? column.read(bag, record) : null;
    if (value === null || value === undefined) appender.appendNull();
    else if (column.sqlType === 'VARCHAR') appender.appendVarchar(value as string);
    else if (column.sqlType === 'INTEGER') appender.appendInteger(value as number);
    else if (column.sqlType === 'BIGINT') appender.appendBigInt(BigInt(value));
    else appender.appendDouble(value as number);
  }
  appender.endRow();
}
