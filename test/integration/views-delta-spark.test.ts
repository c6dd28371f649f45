/**
 * Every view directory the jobs publish is a Delta table that a real reader gets right: all five jobs
 * run over a faulty generated stream (with a crash and a restart from the checkpoints midway) into a
 * file store; completeness then passes every day, so each date is compacted into one file (a Delta
 * version swapping the files); then Spark 3.5 + Delta 3.3 (test/spark/, one JVM) reads the 25 tables,
 * which must equal the oracle's views row for row, and the raw archive's six topic tables, which must hold
 * every validated record once.
 */
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOBS, JOB_TOPICS, TOPICS, type JobName } from '../../src/events/topics.ts';
import { VIEW_SPECS, type ViewSpec } from '../../src/events/view-catalog.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { differences } from '../../src/events/view-result.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { JobState } from '../../src/processor/runner/job-state.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { TEST_PARTITIONS, testJobState } from '../unit/job-state-fixture.ts';
import { tempDir } from '../unit/temp-dir.ts';
import { readDeltaTables } from '../spark/read-delta-tables.ts';
import { oracleResult } from './run-fixture.ts';
import { expectedArchive } from './duckdb-archive.ts';
import { dirname, join } from 'node:path';

/** Far after the generated event times: the idle rule then completes every window. */
const LATER_MS = Date.UTC(2100, 0, 1);

function newState(store: FileObjectStore, job: JobName, writerId: string): JobState {
  return testJobState(store, job, writerId);
}

/** Feeds the job's records partition by partition, committing every few chunks; false after `stopAfter` chunks. */
async function feed(
  state: JobState,
  records: readonly SourceRecord[],
  stopAfter = Infinity,
): Promise<boolean> {
  let chunks = 0;
  for (const tracker of state.owned) {
    const mine = records.filter((r) => r.topic === tracker.topic && r.partition === tracker.partition);
    tracker.noteHighWatermark(mine.length);
    for (let start = tracker.nextOffset; start < mine.length; start += 97) {
      if (chunks++ >= stopAfter) return false;
      state.process(tracker, mine.slice(start, start + 97), 0);
      if (chunks % 4 === 0) await state.commit();
    }
  }
  return true;
}

async function runJob(store: FileObjectStore, job: JobName, records: readonly SourceRecord[]): Promise<void> {
  const partitions = JOB_TOPICS[job].flatMap((topic) =>
    Array.from({ length: TEST_PARTITIONS }, (_, partition) => ({ topic, partition })),
  );
  const crashed = newState(store, job, `${job}_a`);
  await crashed.reconcile(partitions, () => 0);
  expect(await feed(crashed, records, 9)).toBe(false); // its uncommitted work is lost, as in a crash
  const state = newState(store, job, `${job}_b`);
  await state.reconcile(partitions, () => 0);
  expect(await feed(state, records)).toBe(true);
  state.applyIdle(LATER_MS);
  expect((await state.commit()).kind).toBe('committed');
}

/** A row as Spark's JSON gives it (longs as strings, timestamps as ISO) back in the dumps' form. */
function fromSpark(spec: ViewSpec, row: Record<string, unknown>): ViewRow {
  const out: ViewRow = {};
  for (const { name, type } of spec.columns) {
    const value = row[name];
    if (value === null || value === undefined) out[name] = null;
    else if (type === 'timestamp') out[name] = Date.parse(String(value));
    else if (type === 'int64' || type === 'double') out[name] = Number(value);
    else out[name] = value as string | boolean;
  }
  return out;
}

describe('the views tree as Delta tables, read by Spark', () => {
  it(
    'gives Spark exactly the oracle rows for all 25 views, after a crash, a restart and compaction',
    { timeout: 900_000 },
    async () => {
      const records = [
        ...generateRecords({
          seed: 5,
          events: 20_000,
          users: 150,
          disorderMs: 30_000,
          faults: { late: 0.02, duplicate: 0.02, invalid: 0.02, future: 0.01 },
        }),
      ];
      const root = tempDir('views-delta-');
      const store = new FileObjectStore(root);
      for (const job of JOBS) {
        const topics = new Set<string>(JOB_TOPICS[job]);
        await runJob(
          store,
          job,
          records.filter((record) => topics.has(record.topic)),
        );
      }

      // Completeness is now far past every day: each date was compacted into one file.
      const compacted = (await store.list(DEFAULT_LAYOUT.viewsPrefix)).filter((key) =>
        key.endsWith('.parquet'),
      );
      const byDateDir = new Map<string, number>();
      for (const key of compacted) byDateDir.set(dirname(key), (byDateDir.get(dirname(key)) ?? 0) + 1);
      expect([...byDateDir.values()].every((files) => files === 1)).toBe(true);
      expect(
        compacted.filter((key) => /\/compacted-[a-z_]+-\d{12}\.parquet$/.test(key)).length,
      ).toBeGreaterThan(5);
      // The raw archive's and the dead letters' closed dates too (their files here are all small).
      for (const prefix of [DEFAULT_LAYOUT.rawPrefix, DEFAULT_LAYOUT.deadLetterPrefix]) {
        const byDate = new Map<string, number>();
        for (const key of await store.list(prefix))
          if (/\/date=[^/]+\/[^/]+\.(parquet|ndjson)$/.test(key))
            byDate.set(dirname(key), (byDate.get(dirname(key)) ?? 0) + 1);
        expect(byDate.size, prefix).toBeGreaterThan(0);
        expect(
          [...byDate].filter(([, files]) => files > 1),
          prefix,
        ).toEqual([]);
      }

      const dumps = await readDeltaTables([
        ...VIEW_SPECS.map((spec) => ({ path: join(root, DEFAULT_LAYOUT.viewsPrefix, spec.name) })),
        ...TOPICS.map((topic) => ({ path: join(root, DEFAULT_LAYOUT.rawPrefix, topic) })),
      ]);

      const rowsByView = new Map<string, ViewRow[]>();
      VIEW_SPECS.forEach((spec, index) => {
        rowsByView.set(
          spec.name,
          dumps[index]!.rows.map((row) => fromSpark(spec, row)),
        );
      });
      const expected = await oracleResult(records);
      for (const spec of VIEW_SPECS)
        expect(expected.rowsByView.get(spec.name)!.length, spec.name).toBeGreaterThan(0);
      expect(differences({ rowsByView, rejected: [] }, { ...expected, rejected: [] }, 10)).toEqual([]);
      // The raw archive's topic tables: every validated record once, accepted or late.
      const archived = dumps
        .slice(VIEW_SPECS.length)
        .flatMap(({ rows }) => rows)
        .map((row) => `${row.topic}:${row.partition}:${row.offset} ${row.speed_status} ${row.event_id}`)
        .sort();
      expect(archived).toEqual(expectedArchive(records, expected));
    },
  );
});
