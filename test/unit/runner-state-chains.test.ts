import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOB_TOPICS, type JobName } from '../../src/events/topics.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { decodeCheckpoint } from '../../src/processor/io/checkpoint-codec.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { StorageLayout } from '../../src/storage/layout.ts';
import { JobState } from '../../src/processor/runner/job-state.ts';
import { decodePartitionBlob } from '../../src/processor/io/partition-state-blob.ts';
import { oracleResult, readerResult } from '../integration/run-fixture.ts';
import { differences } from '../../src/events/view-result.ts';
import { testJobState } from './job-state-fixture.ts';
import { tempDir } from './temp-dir.ts';

const JOB: JobName = 'course';
const LAYOUT: StorageLayout = {
  viewsPrefix: 'views/',
  partialsPrefix: 'partials/',
  checkpointsPrefix: 'checkpoints/',
  deadLetterPrefix: 'dead/',
  rawPrefix: 'raw/',
};
const LATER_MS = Date.UTC(2100, 0, 1);
const PARTITIONS = 6;

/** A file store that remembers every checkpoint written (pruning deletes most of them). */
class RecordingStore extends FileObjectStore {
  readonly checkpoints: Buffer[] = [];
  override async putIfAbsent(key: string, body: Uint8Array): Promise<'created' | 'exists'> {
    const result = await super.putIfAbsent(key, body);
    if (result === 'created' && key.endsWith('.ckpt')) this.checkpoints.push(Buffer.from(body));
    return result;
  }
}

function jobRecords(): SourceRecord[] {
  const faults = { late: 0.02, duplicate: 0.08, invalid: 0.01, future: 0.01 };
  const options = { seed: 3, events: 30_000, users: 40, disorderMs: 20_000, faults };
  const topics = new Set<string>(JOB_TOPICS[JOB]);
  return [...generateRecords(options)].filter((record) => topics.has(record.topic));
}

/** Each call of the clock is a minute later: every commit is old enough to prune at the next one. */
function newState(store: FileObjectStore, writerId: string, clock: { ms: number }): JobState {
  return testJobState(store, JOB, writerId, {
    layout: LAYOUT,
    keepCheckpoints: 1,
    nowMs: () => (clock.ms += 60_000),
  });
}

/** Processes chunks round-robin over the partitions, committing after each round; false = crashed. */
async function feed(
  state: JobState,
  records: readonly SourceRecord[],
  stopAfterRounds = Infinity,
): Promise<boolean> {
  const queues = state.owned.map((tracker) => {
    const mine = records.filter((r) => r.topic === tracker.topic && r.partition === tracker.partition);
    tracker.noteHighWatermark(mine.length);
    return { tracker, mine };
  });
  for (let round = 0; ; round++) {
    let worked = false;
    for (const { tracker, mine } of queues) {
      if (tracker.nextOffset >= mine.length) continue;
      if (round >= stopAfterRounds) return false;
      state.process(tracker, mine.slice(tracker.nextOffset, tracker.nextOffset + 15), 0);
      worked = true;
    }
    if (!worked) return true;
    expect((await state.commit()).kind).toBe('committed');
  }
}

describe('incremental partition state in the run loop', () => {
  it(
    'restores chains of incremental commits after crashes, with aggressive pruning, and publishes the oracle views',
    { timeout: 60_000 },
    async () => {
      const records = jobRecords();
      // Every partition of the job, with records or not: completeness waits for each one.
      const partitions = JOB_TOPICS[JOB].flatMap((topic) =>
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })),
      );
      const store = new RecordingStore(tempDir('runner-chains-'));
      const clock = { ms: Date.UTC(2025, 0, 6) };
      for (const [crash, stopAfter] of [9, 5, 14].entries()) {
        const state = newState(store, `w${crash}`, clock);
        await state.reconcile(partitions, () => 0);
        expect(await feed(state, records, stopAfter)).toBe(false);
      }
      const last = newState(store, 'final', clock);
      await last.reconcile(partitions, () => 0);
      expect(await feed(last, records)).toBe(true);
      expect(last.applyIdle(LATER_MS)).toBe(partitions.length);
      expect((await last.commit()).kind).toBe('committed');

      const decoded = await Promise.all(store.checkpoints.map((bytes) => decodeCheckpoint('k', bytes)));
      const blobs = decoded.flatMap((checkpoint) => checkpoint.partitions);
      const incremental = blobs.filter((piece) => decodePartitionBlob(piece.state).chain !== undefined);
      expect(incremental.length).toBeGreaterThan(blobs.length / 2);
      expect(incremental.every((piece) => piece.baseCommit !== undefined)).toBe(true);
      const expected = await oracleResult(records);
      expect(expected.rejected.some((r) => r.reason === 'duplicate')).toBe(true);
      expect(differences(await readerResult({ store, layout: LAYOUT }), expected, 10)).toEqual([]);
    },
  );
});
