import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { isTopic, jobOfTopic, JOBS, type JobName } from '../../src/events/topics.ts';
import type { JobEngine } from '../../src/processor/engine/job-engine.ts';
import { decodeSnapshot } from '../../src/processor/engine/codec/snapshot-codec.ts';
import { foldChain, type PartitionSnapshot } from '../../src/processor/engine/snapshot.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { batchSizeArbitrary, recordStream } from './arbitraries.ts';
import { LAW_OPTIONS, runs } from './laws.ts';

type Engines = Map<JobName, JobEngine>;

const newEngines = (): Engines => new Map(JOBS.map((job) => [job, createJobEngine(job, LAW_OPTIONS)]));

/** Feeds one batch; returns what it emitted (rows and rejections, as stable strings). */
function feed(engines: Engines, batch: readonly SourceRecord[]): string[] {
  const out: string[] = [];
  for (const [job, engine] of engines) {
    const mine = batch.filter((record) => isTopic(record.topic) && jobOfTopic(record.topic) === job);
    for (const { topic, partition, offset, reason } of engine.process(mine).rejected)
      out.push(`rejected ${topic}/${partition}@${offset} ${reason}`);
    for (const [view, rows] of engine.drainFinal())
      for (const row of rows) out.push(`${view} ${JSON.stringify(row)}`);
  }
  return out;
}

function finish(engines: Engines): string[] {
  const out: string[] = [];
  for (const engine of engines.values()) {
    engine.endOfInput();
    for (const [view, rows] of engine.drainFinal())
      for (const row of rows) out.push(`${view} ${JSON.stringify(row)}`);
  }
  return out;
}

/**
 * Commits every partition after a batch like the runner does: incremental when `incremental` says so
 * and the engine can, else full (which starts a new chain). Returns the chains, oldest piece first.
 */
function commitAll(engines: Engines, chains: Map<string, Uint8Array[]>, incremental: boolean): void {
  for (const engine of engines.values()) {
    for (const { topic, partition } of engine.watermarks()) {
      const key = `${topic}:${partition}`;
      const delta = incremental && chains.has(key) && engine.canSnapshotIncrementally(topic, partition);
      const { bytes, mark } = engine.encodePartition(topic, partition, delta)!;
      chains.set(key, delta ? [...chains.get(key)!, bytes] : [bytes]);
      engine.partitionCommitted(topic, partition, mark);
    }
  }
}

function restore(chains: Map<string, Uint8Array[]>): Engines {
  const engines = newEngines();
  for (const pieces of chains.values()) {
    const [base, ...later] = pieces.map((bytes) => decodeSnapshot(bytes));
    const full: PartitionSnapshot = foldChain(base!, later);
    engines.get(full.job as JobName)!.restorePartition(full);
  }
  return engines;
}

describe('crash = no crash, with incremental snapshots', () => {
  it('gives identical output after restoring from a full snapshot plus the id deltas of later commits', () => {
    fc.assert(
      fc.property(
        recordStream(),
        batchSizeArbitrary,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        fc.nat(),
        ({ records }, batchSize, incrementalChoices, cut) => {
          const batches: SourceRecord[][] = [];
          for (let at = 0; at < records.length; at += batchSize)
            batches.push(records.slice(at, at + batchSize));
          const uninterrupted = newEngines();
          const expected = [
            ...batches.flatMap((batch) => feed(uninterrupted, batch)),
            ...finish(uninterrupted),
          ];

          const crashAfter = cut % (batches.length + 1);
          const live = newEngines();
          const chains = new Map<string, Uint8Array[]>();
          const written: string[] = [];
          batches.slice(0, crashAfter).forEach((batch, index) => {
            written.push(...feed(live, batch));
            commitAll(live, chains, incrementalChoices[index % incrementalChoices.length]!);
          });
          const restored = restore(chains);
          const actual = [
            ...written,
            ...batches.slice(crashAfter).flatMap((batch) => feed(restored, batch)),
            ...finish(restored),
          ];
          expect(actual.sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: runs(200) },
    );
  });
});
