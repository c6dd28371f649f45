/**
 * The partitions a job engine owns, by topic and number. Each holds its clock (acceptance, watermark),
 * its id journal (incremental snapshots) and one store per view of the job. A partition opens empty on
 * its first record; a restored one replaces whatever was there.
 */
import type { Topic } from '../../events/topics.ts';
import { IdJournal } from './id-journal.ts';
import type { PartitionClock } from './partition-clock.ts';
import type { ViewState } from './view-state.ts';

export interface PartitionState {
  readonly topic: Topic;
  readonly partition: number;
  readonly clock: PartitionClock;
  readonly journal: IdJournal;
  /** One store per view, in the job's view order. */
  readonly stores: readonly ViewState[];
  /** Watermark at the last close: nothing to emit until it moves. */
  closedAtMs: number;
  /** Snapshots encoded so far, and whether the newest is committed (the base a delta needs). */
  readonly deltas: { sequence: number; committed: boolean };
}

/** A partition state with a new journal, not closed yet. */
export function partitionState(
  topic: Topic,
  partition: number,
  clock: PartitionClock,
  stores: readonly ViewState[],
): PartitionState {
  const deltas = { sequence: 0, committed: false };
  return { topic, partition, clock, journal: new IdJournal(), stores, closedAtMs: -Infinity, deltas };
}

export class PartitionTable {
  private readonly byTopic = new Map<string, PartitionState[]>();

  constructor(topics: readonly Topic[]) {
    for (const topic of topics) this.byTopic.set(topic, []);
  }

  hasTopic(topic: string): topic is Topic {
    return this.byTopic.has(topic);
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.byTopic.get(topic)?.[partition];
  }

  /** Adds `state`, replacing the partition's previous state (its topic must be one of the table's). */
  put(state: PartitionState): void {
    this.byTopic.get(state.topic)![state.partition] = state;
  }

  drop(topic: string, partition: number): void {
    const byPartition = this.byTopic.get(topic);
    if (byPartition !== undefined) delete byPartition[partition];
  }

  /** Every partition, by topic (in the job's order) then number. */
  *[Symbol.iterator](): Generator<PartitionState> {
    for (const byPartition of this.byTopic.values()) for (const state of byPartition) if (state) yield state;
  }
}
