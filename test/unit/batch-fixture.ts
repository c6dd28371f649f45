/**
 * Tests of the batch layer: an archive made the way production makes it (the five jobs in-process over
 * a file:// store, then the idle rule, so every view's completeness is far past the records), the batch
 * tables read back, and the expectation: the oracle's SQL over every valid record (accepted and late),
 * loaded through the oracle's own JavaScript path (validate + appendEvent), not through the archive.
 */
import { randomUUID } from 'node:crypto';
import { archiveColumns, archiveRow } from '../../src/events/archive-columns.ts';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOBS, JOB_TOPICS, type Topic } from '../../src/events/topics.ts';
import { validateValue } from '../../src/events/validate.ts';
import { VIEW_SPECS, viewSpec } from '../../src/events/view-catalog.ts';
import { sortRows, type ViewRow } from '../../src/events/view-dump.ts';
import { appendEvent } from '../../src/oracle/events-table.ts';
import { withSession } from '../../src/oracle/oracle-session.ts';
import { runOracle } from '../../src/oracle/run-oracle.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import { describeFile } from '../../src/storage/delta/data-file.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { liveFiles } from '../../src/storage/delta/snapshot.ts';
import { dataKey } from '../../src/storage/delta/table-keys.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import type { ParquetRow } from '../../src/storage/parquet-columns.ts';
import { readParquet } from '../../src/storage/parquet-reader.ts';
import { writeParquet } from '../../src/storage/parquet-writer.ts';
import { DEFAULT_BATCH_LAYOUT, batchTable } from '../../src/batch/batch-layout.ts';
import { TEST_PARTITIONS, testJobState } from './job-state-fixture.ts';

/** Far after the records: the idle rule then makes every window final and completeness reaches it. */
const LATER_MS = Date.UTC(2100, 0, 1);

/** Runs the five jobs over the records (one instance each, all partitions), committing every `chunk`. */
export async function archiveByJobs(
  store: ObjectStore,
  records: readonly SourceRecord[],
  chunk = 200,
): Promise<void> {
  for (const job of JOBS) {
    const topics = new Set<string>(JOB_TOPICS[job]);
    const mine = records.filter((record) => topics.has(record.topic));
    // Every partition, also those without records: completeness waits for each of them.
    const partitions = JOB_TOPICS[job].flatMap((topic) =>
      Array.from({ length: TEST_PARTITIONS }, (_, partition) => ({ topic, partition })),
    );
    const state = testJobState(store, job, `batch_${job}`);
    await state.reconcile(partitions, () => 0);
    for (const tracker of state.owned) {
      const own = mine.filter((r) => r.topic === tracker.topic && r.partition === tracker.partition);
      tracker.noteHighWatermark(own.length);
      for (let start = 0; start < own.length; start += chunk) {
        state.process(tracker, own.slice(start, start + chunk), 0);
        await state.commit();
      }
    }
    state.applyIdle(LATER_MS);
    await state.commit();
    await state.completeNow();
  }
}

/** The rows of a view's batch table (its latest version), optionally of one day, in dump order. */
export async function batchRows(store: ObjectStore, view: string, day?: string): Promise<ViewRow[]> {
  const table = batchTable(store, DEFAULT_BATCH_LAYOUT, view);
  const rows: ViewRow[] = [];
  for (const add of liveFiles(await readSnapshot(table), day)) {
    const contents = await readParquet((await store.get(dataKey(table, add.path)))!);
    rows.push(...(contents.rows as ViewRow[]));
  }
  return sortRows(viewSpec(view), rows);
}

/** Every record the oracle accepts or finds late, and the late ones. */
export async function validRecords(
  records: readonly SourceRecord[],
): Promise<{ valid: SourceRecord[]; late: SourceRecord[] }> {
  const { rejected } = await runOracle(records);
  const reasons = new Map(rejected.map((r) => [`${r.topic}:${r.partition}:${r.offset}`, r.reason]));
  const reason = (r: SourceRecord) => reasons.get(`${r.topic}:${r.partition}:${r.offset}`);
  return {
    valid: records.filter((r) => reason(r) === undefined || reason(r) === 'late'),
    late: records.filter((r) => reason(r) === 'late'),
  };
}

/** The oracle's SQL over these (valid) records, each view's rows of `day` in dump order. */
export async function oracleRowsOfDay(
  records: readonly SourceRecord[],
  day: string,
): Promise<Map<string, ViewRow[]>> {
  const dayStartMs = Date.parse(`${day}T00:00:00Z`);
  return withSession(async (session) => {
    const appender = await session.appender();
    for (const record of records) {
      const validation = validateValue(record.topic as never, record.key, record.value);
      if (!validation.ok) throw new Error(`record ${record.topic}:${record.offset} is not valid`);
      appendEvent(appender, record, validation.event);
    }
    appender.closeSync();
    await session.setSessionGap(600_000);
    const byView = new Map<string, ViewRow[]>();
    for (const spec of VIEW_SPECS) {
      const start = spec.columns[0]!.name;
      const rows = (await session.queryView(spec)).filter((row) => {
        const ms = Number(row[start]);
        return ms >= dayStartMs && ms < dayStartMs + 86_400_000;
      });
      byView.set(spec.name, sortRows(spec, rows));
    }
    return byView;
  });
}

/** Writes `events` (one topic) as one archive file of their date, appended to the topic's raw table. */
export async function writeRawEvents(
  store: ObjectStore,
  topic: Topic,
  date: string,
  events: readonly Record<string, unknown>[],
): Promise<void> {
  const columns = archiveColumns(topic);
  const rows = events.map((event, offset) =>
    archiveRow(event, {
      topic,
      partition: 0,
      offset,
      recordTimestampMs: Date.parse(event.event_time as string),
      eventTimeMs: Date.parse(event.event_time as string),
      status: 'accepted',
    }),
  );
  const path = `date=${date}/hand-${randomUUID()}.parquet`;
  const body = writeParquet(columns, rows as ParquetRow[]);
  const table = { store, root: `raw/${topic}` };
  await store.put(`${table.root}/${path}`, body);
  const file = describeFile({ path, body, columns, rows: rows as ParquetRow[], modificationTimeMs: 0 });
  await appendFiles(table, { columns, files: [file] });
}

/** A `_completeness.json` for each view saying it is complete through `iso`. */
export async function writeCompleteness(
  store: ObjectStore,
  views: readonly string[],
  iso: string,
): Promise<void> {
  for (const view of views)
    await store.put(
      `realtime_views/${view}/_completeness.json`,
      Buffer.from(JSON.stringify({ view, complete_through: iso })),
    );
}
