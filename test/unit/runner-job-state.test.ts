import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOB_TOPICS, type JobName } from '../../src/events/topics.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { readDeadLetters } from '../../src/processor/io/dead-letter.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { StorageLayout } from '../../src/storage/layout.ts';
import { JobState } from '../../src/processor/runner/job-state.ts';
import { differences } from '../../src/events/view-result.ts';
import { oracleResult, readerResult } from '../integration/run-fixture.ts';
import { testJobState } from './job-state-fixture.ts';
import { tempDir } from './temp-dir.ts';
import { duckdbArchive, expectedArchive } from '../integration/duckdb-archive.ts';

const JOB: JobName = 'auth';
const LAYOUT: StorageLayout = {
  viewsPrefix: 'realtime_views/',
  partialsPrefix: 'realtime_partials/',
  checkpointsPrefix: 'checkpoints/',
  deadLetterPrefix: 'dead_letter/',
  rawPrefix: 'raw/',
};
/** Far after the generated event times: the idle rule then finalises every window (end of input). */
const LATER_MS = Date.UTC(2100, 0, 1);
/** The generator's partitions per topic: completeness waits for each of them. */
const PARTITIONS = 6;

function jobRecords(): SourceRecord[] {
  const options = {
    seed: 7,
    events: 12_000,
    users: 60,
    disorderMs: 20_000,
    faults: { late: 0.02, duplicate: 0.02, invalid: 0.02, future: 0.01 },
  };
  const topics = new Set<string>(JOB_TOPICS[JOB]);
  return [...generateRecords(options)].filter((record) => topics.has(record.topic));
}

function newState(store: FileObjectStore, writerId: string, commitSliceMs?: number): JobState {
  return testJobState(store, JOB, writerId, { layout: LAYOUT, partitions: PARTITIONS, commitSliceMs });
}

/** Feeds every partition from the state's next offsets, chunk by chunk, committing every `commitEvery` chunks. */
async function feed(
  state: JobState,
  records: readonly SourceRecord[],
  chunk: number,
  stopAfterChunks = Infinity,
): Promise<boolean> {
  let chunks = 0;
  for (const tracker of state.owned) {
    const mine = records.filter((r) => r.topic === tracker.topic && r.partition === tracker.partition);
    expect(mine.every((record, index) => record.offset === index)).toBe(true);
    tracker.noteHighWatermark(mine.length);
    for (let start = tracker.nextOffset; start < mine.length; start += chunk) {
      if (chunks++ >= stopAfterChunks) return false; // crash: the uncommitted work is simply gone
      state.process(tracker, mine.slice(start, start + chunk), 0);
      if (chunks % 3 === 0) await state.commit();
    }
  }
  return true;
}

/**
 * As `feed`, but the way the runner commits: a commit's I/O runs while the next chunks are processed.
 * `sliced`: the state takes each commit's contents in slices (commitSliceMs 0).
 */
async function feedOverlapping(
  state: JobState,
  records: readonly SourceRecord[],
  chunk: number,
  stopAfterChunks = Infinity,
  sliced = false,
): Promise<boolean> {
  let chunks = 0;
  for (const tracker of state.owned) {
    const mine = records.filter((r) => r.topic === tracker.topic && r.partition === tracker.partition);
    tracker.noteHighWatermark(mine.length);
    for (let start = tracker.nextOffset; start < mine.length; start += chunk) {
      if (chunks++ >= stopAfterChunks) {
        await state.settle(); // crash: the commit in flight lands or not; what came after it is gone
        // A killed process does nothing more; here its completion round would run on beside the next
        // instance (safe, like a second writer) and could still be publishing when the test reads.
        await state.completionIdle();
        return false;
      }
      state.process(tracker, mine.slice(start, start + chunk), 0);
      if (chunks % 3 === 0) {
        expect((await state.settle())?.kind ?? 'committed').toBe('committed');
        const started = state.startCommit();
        // Taken in slices, the contents are not in flight before the last one: nothing is processed meanwhile.
        if (sliced) expect(state.committing).toBe(false);
        await started;
        expect(state.committing).toBe(true); // its I/O runs on while the next chunks are processed
      }
    }
  }
  return true;
}

function partitionsOf(records: readonly SourceRecord[]): { topic: string; partition: number }[] {
  return [...new Set(records.map((r) => `${r.topic}:${r.partition}`))].map((id) => {
    const [topic, partition] = id.split(':');
    return { topic: topic!, partition: Number(partition) };
  });
}

describe('JobState (the run loop without Kafka)', () => {
  it('publishes the oracle views when it crashes between commits and a new instance resumes from the checkpoints', async () => {
    const records = jobRecords();
    const partitions = partitionsOf(records);
    const store = new FileObjectStore(tempDir('runner-state-'));
    for (const [crash, stopAfter] of [7, 19, 4].entries()) {
      const state = newState(store, `w${crash}`);
      await state.reconcile(partitions, () => 0);
      expect(await feed(state, records, 31, stopAfter)).toBe(false);
    }
    const last = newState(store, 'final');
    await last.reconcile(partitions, () => 0);
    expect(await feed(last, records, 31)).toBe(true);
    expect(last.applyIdle(LATER_MS)).toBe(partitions.length);
    expect((await last.commit()).kind).toBe('committed');

    const [expected, actual] = [await oracleResult(records), await readerResult({ store, layout: LAYOUT })];
    expect(expected.rejected.length).toBeGreaterThan(0);
    expect(differences(actual, expected, 10)).toEqual([]);
    const archive = await duckdbArchive(store, LAYOUT);
    expect(archive.some((row) => row.includes(' late '))).toBe(true);
    expect(archive).toEqual(expectedArchive(records, expected)); // each validated record once
  });

  it.each([
    ['at once', undefined],
    ['in slices with turns between', 0],
  ])(
    'publishes the oracle views when commits overlap later records, across crashes (contents taken %s)',
    async (_, sliceMs) => {
      const records = jobRecords();
      const partitions = partitionsOf(records);
      const store = new FileObjectStore(tempDir('runner-overlap-'));
      const sliced = sliceMs === 0;
      for (const [crash, stopAfter] of [8, 20].entries()) {
        const state = newState(store, `o${crash}`, sliceMs);
        await state.reconcile(partitions, () => 0);
        expect(await feedOverlapping(state, records, 29, stopAfter, sliced)).toBe(false);
      }
      const last = newState(store, 'overlap_final', sliceMs);
      await last.reconcile(partitions, () => 0);
      expect(await feedOverlapping(last, records, 29, Infinity, sliced)).toBe(true);
      expect(last.applyIdle(LATER_MS)).toBe(partitions.length);
      expect((await last.commit()).kind).toBe('committed');
      expect(last.committing).toBe(false);

      const expected = await oracleResult(records);
      expect(differences(await readerResult({ store, layout: LAYOUT }), expected, 10)).toEqual([]);
      expect(await duckdbArchive(store, LAYOUT)).toEqual(expectedArchive(records, expected));
    },
  );

  it('allows one commit in flight and no change of ownership under it', async () => {
    const records = jobRecords().filter((r) => r.partition === 0);
    const partitions = [{ topic: 'lms.auth', partition: 0 }];
    const state = newState(new FileObjectStore(tempDir('runner-one-')), 'one');
    await state.reconcile(partitions, () => 0);
    state.process(state.tracker('lms.auth', 0)!, records.slice(0, 40), 0);
    await state.startCommit();
    expect(() => state.startCommit()).toThrow(/already in flight/);
    await expect(state.reconcile([], () => 0)).rejects.toThrow(/settle the commit in flight first/);
    const outcome = await state.settle();
    expect(outcome?.kind).toBe('committed');
    expect(state.committing).toBe(false);
    expect(await state.settle()).toBeUndefined();
    expect(state.dirty).toBe(false);
  });

  it("is fenced when another writer committed a partition it holds, and then recovers that writer's state", async () => {
    const records = jobRecords().filter((r) => r.partition === 0);
    const partitions = [{ topic: 'lms.auth', partition: 0 }];
    const store = new FileObjectStore(tempDir('runner-fence-'));
    const zombie = newState(store, 'zombie');
    await zombie.reconcile(partitions, () => 0);
    const adopter = newState(store, 'adopter');
    await adopter.reconcile(partitions, () => 0);
    const adopterTracker = adopter.tracker('lms.auth', 0)!;
    adopter.process(adopterTracker, records.slice(0, 50), 0);
    expect((await adopter.commit()).kind).toBe('committed');

    const zombieTracker = zombie.tracker('lms.auth', 0)!;
    zombie.process(zombieTracker, records.slice(0, 80), 0);
    const outcome = await zombie.commit();
    expect(outcome.kind).toBe('fenced');
    const seeks = await zombie.resetToCommitted(() => 0);
    expect(seeks).toEqual([{ topic: 'lms.auth', partition: 0, nextOffset: 50 }]);
  });

  it('drops the dead letters of a partition it no longer owns and commits those of the others', async () => {
    const store = new FileObjectStore(tempDir('runner-lose-'));
    const state = newState(store, 'lose');
    await state.reconcile(
      [0, 1].map((partition) => ({ topic: 'lms.auth', partition })),
      () => 0,
    );
    for (const partition of [0, 1]) {
      const bad = {
        topic: 'lms.auth',
        partition,
        offset: 0,
        timestamp: LATER_MS,
        key: 'u',
        value: 'not json',
      };
      state.process(state.tracker('lms.auth', partition)!, [bad], 0);
    }

    await state.reconcile([{ topic: 'lms.auth', partition: 0 }], () => 0);
    expect((await state.commit()).kind).toBe('committed');

    const deadLetters = await readDeadLetters(store, LAYOUT.deadLetterPrefix);
    expect(deadLetters.map(({ partition, value }) => ({ partition, value }))).toEqual([
      { partition: 0, value: 'not json' },
    ]);
  });
});
