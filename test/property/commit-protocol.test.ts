import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOB_TOPICS } from '../../src/events/topics.ts';
import { differences } from '../../src/events/view-result.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import type { PartitionRef } from '../../src/processor/io/commit.ts';
import type { JobState } from '../../src/processor/runner/job-state.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { duckdbArchive, expectedArchive } from '../integration/duckdb-archive.ts';
import { oracleResult, readerResult } from '../integration/run-fixture.ts';
import { TEST_PARTITIONS, testJobState } from '../unit/job-state-fixture.ts';
import { tempDir } from '../unit/temp-dir.ts';
import { runs } from './laws.ts';

/**
 * The exactly-once commit protocol under k writers of one job sharing its storage: random interleavings
 * of processing, commits, rebalances (commit on revoke, as the runner does), crashes (uncommitted work
 * lost), joins, and pauses past the session timeout (the paused writer's partitions move while it still
 * believes it owns them; resumed, it commits what it holds and rejoins). Whatever the schedule, the
 * views tree equals the oracle (so no row is published twice or lost), the dead letters and the raw
 * archive hold each record once, and every commit a fenced writer tried published nothing — with one
 * commit log for the job, and with one per partition group (three groups of two partitions).
 */
const JOB = 'auth';
/** Far after the generated event times: the idle rule then finalises every window (end of input). */
const LATER_MS = Date.UTC(2100, 0, 1);

const records: SourceRecord[] = [
  ...generateRecords({
    seed: 11,
    events: 6_000,
    users: 40,
    disorderMs: 20_000,
    faults: { late: 0.02, duplicate: 0.02, invalid: 0.02, future: 0.01 },
  }),
].filter((record) => record.topic === JOB_TOPICS[JOB][0]);
const byPartition = new Map<number, SourceRecord[]>();
for (const record of records)
  byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), record]);
const PARTITIONS: PartitionRef[] = [...byPartition.keys()]
  .sort((a, b) => a - b)
  .map((partition) => ({ topic: JOB_TOPICS[JOB][0], partition }));

type Step =
  | { kind: 'process'; writer: number; count: number }
  | { kind: 'commit'; writer: number }
  | { kind: 'rebalance'; owners: number[] }
  | { kind: 'join'; owners: number[] }
  | { kind: 'crash'; writer: number; owners: number[] }
  | { kind: 'pause'; writer: number; owners: number[] }
  | { kind: 'resume'; owners: number[] };

/** One shared commit log, or one per partition group (io/commit-groups.ts). */
const groups = fc.constantFrom(1, 3);
const owners = fc.array(fc.nat(), { minLength: PARTITIONS.length, maxLength: PARTITIONS.length });
const writer = fc.nat();
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('process' as const),
      writer,
      count: fc.integer({ min: 1, max: 120 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('commit' as const), writer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rebalance' as const), owners }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const), owners }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), writer, owners }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pause' as const), writer, owners }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), owners }) },
);

/** The writers as the consumer group and the store see them. */
class Group {
  /** Members of the group, with the partitions the group assigned them. */
  readonly members = new Map<JobState, PartitionRef[]>();
  /** Paused past the session timeout: out of the group, still holding what they held. */
  readonly paused = new Set<JobState>();
  fences = 0;
  private writers = 0;

  constructor(
    private readonly store: FileObjectStore,
    private readonly commitGroups: number,
  ) {}

  async join(): Promise<JobState> {
    const state = testJobState(this.store, JOB, `w${this.writers++}`, {
      partitions: TEST_PARTITIONS,
      commitGroups: this.commitGroups,
    });
    this.members.set(state, []);
    return state;
  }

  /** Every partition to a member (`owners[i]` picks partition i's); revoking members commit first. */
  async rebalance(owners: readonly number[]): Promise<void> {
    if (this.members.size === 0) await this.join();
    const members = [...this.members.keys()];
    const next = new Map(members.map((member) => [member, [] as PartitionRef[]]));
    PARTITIONS.forEach((ref, i) => next.get(members[owners[i]! % members.length]!)!.push(ref));
    for (const member of members) {
      const kept = new Set(next.get(member)!.map(key));
      if (member.owned.some((tracker) => !kept.has(key(tracker)))) await this.commit(member);
    }
    for (const member of members) {
      this.members.set(member, next.get(member)!);
      await member.reconcile(next.get(member)!, () => 0);
    }
  }

  /** Commits what changed; a fenced writer starts again from the log, as the runner does. */
  async commit(state: JobState): Promise<void> {
    if (!state.dirty) return;
    const outcome = await state.commit();
    if (outcome.kind !== 'fenced') return;
    this.fences++;
    await state.resetToCommitted(() => 0);
  }

  /** Gone without a word: what it did not commit is lost. */
  async crash(state: JobState): Promise<void> {
    await state.settle().catch(() => undefined);
    await state.completionIdle();
    this.members.delete(state);
    this.paused.delete(state);
  }

  pause(state: JobState): void {
    this.members.delete(state);
    this.paused.add(state);
  }

  /** Every paused writer wakes up: it commits what it holds (fenced if its partitions moved on) and rejoins. */
  async resume(owners: readonly number[]): Promise<void> {
    for (const state of this.paused) {
      await this.commit(state);
      this.members.set(
        state,
        state.owned.map(({ topic, partition }) => ({ topic, partition })),
      );
    }
    this.paused.clear();
    await this.rebalance(owners);
  }

  pick(index: number): JobState | undefined {
    const all = [...this.members.keys(), ...this.paused];
    return all.length === 0 ? undefined : all[index % all.length];
  }
}

function key({ topic, partition }: PartitionRef): string {
  return `${topic}:${partition}`;
}

/** Up to `count` further records of each partition `state` holds. */
function process(state: JobState, count: number): void {
  for (const tracker of state.owned) {
    const mine = byPartition.get(tracker.partition)!;
    tracker.noteHighWatermark(mine.length);
    const next = mine.slice(tracker.nextOffset, tracker.nextOffset + count);
    if (next.length > 0) state.process(tracker, next, 0);
  }
}

async function play(store: FileObjectStore, steps: readonly Step[], commitGroups: number): Promise<Group> {
  const group = new Group(store, commitGroups);
  await group.rebalance(PARTITIONS.map(() => 0));
  for (const step of steps) {
    const chosen = 'writer' in step ? group.pick(step.writer) : undefined;
    if (step.kind === 'process' && chosen !== undefined) process(chosen, step.count);
    if (step.kind === 'commit' && chosen !== undefined) await group.commit(chosen);
    if (step.kind === 'rebalance') await group.rebalance(step.owners);
    if (step.kind === 'join') {
      await group.join();
      await group.rebalance(step.owners);
    }
    if (step.kind === 'crash' && chosen !== undefined) {
      await group.crash(chosen);
      await group.rebalance(step.owners);
    }
    if (step.kind === 'pause' && chosen !== undefined && group.members.has(chosen)) {
      group.pause(chosen);
      await group.rebalance(step.owners);
    }
    if (step.kind === 'resume') await group.resume(step.owners);
  }
  // The end: every writer there is stops at once; one more takes every partition to the end of the input.
  for (const state of [...group.members.keys(), ...group.paused]) await group.crash(state);
  const last = await group.join();
  await group.rebalance(PARTITIONS.map(() => 0));
  process(last, Infinity);
  expect(last.applyIdle(LATER_MS)).toBe(PARTITIONS.length);
  expect((await last.commit()).kind).toBe('committed');
  return group;
}

/** A writer paused while another adopts and commits its partitions; resumed, its commit is fenced. */
const ZOMBIE_FENCED: Step[] = [
  { kind: 'join', owners: [0, 0, 1, 1, 0, 1] },
  { kind: 'process', writer: 0, count: 50 },
  { kind: 'commit', writer: 0 },
  { kind: 'process', writer: 0, count: 50 },
  { kind: 'pause', writer: 0, owners: PARTITIONS.map(() => 0) }, // w0 out; the group: [w1], then w0 paused
  { kind: 'process', writer: 0, count: 30 },
  { kind: 'commit', writer: 0 },
  { kind: 'process', writer: 1, count: 40 },
  { kind: 'resume', owners: [1, 0, 1, 0, 1, 0] },
];

/**
 * A paused writer with nothing new to commit rejoins and is given more partitions: adopting them, it
 * finds that another writer committed the ones it kept, and takes all of them from the log again.
 */
const REJOIN_STALE: Step[] = [
  { kind: 'join', owners: [0, 0, 0, 1, 1, 1] },
  { kind: 'pause', writer: 0, owners: PARTITIONS.map(() => 0) }, // w1 takes all; w0 keeps p0-p2
  { kind: 'process', writer: 0, count: 40 },
  { kind: 'commit', writer: 0 },
  { kind: 'resume', owners: PARTITIONS.map(() => 1) }, // all to w0
];

describe('the commit protocol, k writers of one job', () => {
  it('publishes every row, dead letter and archived record once, whatever the schedule', async () => {
    const expected = await oracleResult(records);
    const archive = expectedArchive(records, expected);
    let fenced = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 4, maxLength: 30 }),
        groups,
        async (steps, commitGroups) => {
          const store = new FileObjectStore(tempDir('protocol-'));
          fenced += (await play(store, steps, commitGroups)).fences;
          const found = differences(await readerResult({ store, layout: DEFAULT_LAYOUT }), expected, 10);
          expect(found).toEqual([]);
          expect(await duckdbArchive(store, DEFAULT_LAYOUT)).toEqual(archive);
        },
      ),
      {
        numRuns: runs(20),
        examples: [
          [ZOMBIE_FENCED, 1],
          [REJOIN_STALE, 1],
          [ZOMBIE_FENCED, 3],
          [REJOIN_STALE, 3],
        ],
      },
    );
    expect(fenced).toBeGreaterThan(0); // the example's paused writer, at least
  });
});
