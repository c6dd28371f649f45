/**
 * The raw archive's Delta adds carry their files' stats, read from the Parquet footers: numRecords, null
 * counts and the `event_time_ms` bounds the batch layer plans with, for converted files, files another
 * writer published and merged (compacted) files alike.
 */
import { describe, expect, it } from 'vitest';
import { eventTimeBounds } from '../../src/batch/archive-tables.ts';
import { archiveFiles, archiveLine, rawTableSet } from '../../src/processor/io/archive-files.ts';
import { ViewTables } from '../../src/processor/io/view-tables.ts';
import { planCompactions } from '../../src/processor/runner/compaction.ts';
import type { AddAction } from '../../src/storage/delta/actions.ts';
import { readSnapshot } from '../../src/storage/delta/read-snapshot.ts';
import { liveFiles } from '../../src/storage/delta/snapshot.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT, finalKey } from '../../src/storage/layout.ts';
import { tempDir } from './temp-dir.ts';

const TOPIC = 'lms.profile';
const JOB = 'profile_notification';
const TABLE_ROOT = `${DEFAULT_LAYOUT.rawPrefix}${TOPIC}`;

/** A pending line of a profile update at `eventTime`; every other one has no course. */
function line(eventTime: string, offset: number): Uint8Array {
  const event = {
    event_id: `e${offset}`,
    event_type: 'profile_updated',
    event_time: eventTime,
    user_id: `u${offset}`,
    course_id: offset % 2 === 0 ? null : 'c1',
    fields: ['bio'],
  };
  const value = JSON.stringify(event);
  return Buffer.from(archiveLine({ partition: 0, offset, timestamp: 1_736_208_000_000, value }, 'accepted'));
}

interface Stats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

const statsOf = (add: AddAction | undefined): Stats => JSON.parse(add?.stats ?? 'null') as Stats;

function setUp() {
  const store = new FileObjectStore(tempDir('archive-delta-stats-'));
  const tables = new ViewTables(store, DEFAULT_LAYOUT, JOB, { tables: rawTableSet(DEFAULT_LAYOUT) });
  const table = { store, root: TABLE_ROOT };
  /** Completion `completion` of these event times: converted, put, appended (bytes at hand or not). */
  const complete = async (completion: number, times: readonly string[], bytesAtHand = true) => {
    const lines = times.map((time, index) => line(time, completion * 100 + index));
    // One line per row group: the bounds must span the row groups, not only the first.
    const files = await archiveFiles(TABLE_ROOT, TOPIC, lines, { linesPerRowGroup: 1 });
    const published = files.map((file) => ({ final: finalKey(file, JOB, completion), body: file.body }));
    for (const file of published) await store.put(file.final, file.body);
    const appended = bytesAtHand ? published : published.map(({ final }) => ({ final }));
    await tables.append(completion, appended, Date.UTC(2025, 0, 8));
  };
  return { store, tables, table, complete };
}

describe('the raw archive Delta stats', () => {
  it('gives an archive file its record count, null counts and event-time bounds, per date', async () => {
    const { table, complete } = setUp();

    await complete(1, [
      '2025-01-07T03:00:00.250Z',
      '2025-01-06T23:59:59.999Z',
      '2025-01-07T00:10:00.000Z',
      '2025-01-07T00:59:00.000Z',
    ]);

    const snapshot = await readSnapshot(table);
    const [jan6, jan7] = [liveFiles(snapshot, '2025-01-06'), liveFiles(snapshot, '2025-01-07')];
    expect(jan6).toHaveLength(1);
    expect(jan7).toHaveLength(1);
    const stats = statsOf(jan7[0]);
    expect(stats.numRecords).toBe(3);
    expect(stats.minValues.event_time_ms).toBe('2025-01-07T00:10:00.000Z');
    expect(stats.maxValues.event_time_ms).toBe('2025-01-07T03:00:00.250Z');
    expect(stats.nullCount.event_time_ms).toBe(0);
    expect(stats.nullCount.course_id).toBe(2); // offsets 100 and 102 (101 is of Jan 6)
    expect(stats.minValues.offset).toBe(100);
    expect(stats.maxValues.offset).toBe(103);
    expect(eventTimeBounds(jan7[0]!)).toEqual({
      minMs: Date.parse('2025-01-07T00:10:00.000Z'),
      maxMs: Date.parse('2025-01-07T03:00:00.250Z'),
    });
    expect(statsOf(jan6[0]).minValues.event_time_ms).toBe('2025-01-06T23:59:59.999Z');
  });

  it('reads the same stats from the store when another writer published the file', async () => {
    const { table, complete } = setUp();

    await complete(1, ['2025-01-07T05:00:00.000Z', '2025-01-07T04:00:00.000Z'], false);

    const [add] = liveFiles(await readSnapshot(table));
    expect(statsOf(add)).toMatchObject({
      numRecords: 2,
      minValues: { event_time_ms: '2025-01-07T04:00:00.000Z' },
      maxValues: { event_time_ms: '2025-01-07T05:00:00.000Z' },
    });
  });

  it('bounds a compacted file by the events of every file it merged', async () => {
    const { store, tables, table, complete } = setUp();
    await complete(1, ['2025-01-07T10:00:00.000Z', '2025-01-07T11:00:00.000Z']);
    await complete(2, ['2025-01-07T00:05:00.000Z']);
    await complete(3, ['2025-01-07T23:59:00.000Z', '2025-01-07T12:00:00.000Z']);
    const completeThroughMs = Date.UTC(2025, 0, 9);
    const [candidate] = await tables.compactionCandidates([TOPIC], completeThroughMs, 3_600_000);
    expect(candidate?.files).toHaveLength(3);

    const naming = { layout: DEFAULT_LAYOUT, job: JOB, completion: 4 };
    const { planned } = await planCompactions(store, [{ tree: 'raw', ...candidate! }], naming);
    expect(planned).toHaveLength(1);
    const { plan, body } = planned[0]!;
    await store.put(plan.merged, body);
    await tables.compact(plan, { body }, Date.UTC(2025, 0, 9));

    const live = liveFiles(await readSnapshot(table));
    expect(live.map((add) => add.path)).toEqual([plan.merged.slice(TABLE_ROOT.length + 1)]);
    expect(statsOf(live[0])).toMatchObject({
      numRecords: 5,
      minValues: { event_time_ms: '2025-01-07T00:05:00.000Z' },
      maxValues: { event_time_ms: '2025-01-07T23:59:00.000Z' },
      nullCount: { event_time_ms: 0 },
    });
  });
});
