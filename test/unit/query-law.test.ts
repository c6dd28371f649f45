import { afterEach, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOBS, JOB_TOPICS, jobOfTopic, type JobName, type Topic } from '../../src/events/topics.ts';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { generateRecords } from '../../src/generator/index.ts';
import type { JobEngine } from '../../src/processor/engine/job-engine.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { ViewQuery } from '../../src/processor/query/index.ts';
import { replay } from '../../src/processor/replay.ts';
import { differences } from '../../src/events/view-result.ts';
import { LAW_OPTIONS } from '../property/laws.ts';
import { FakeInstance, refs, tempStore } from './query-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Instance {
  engine: JobEngine;
  writer: FakeInstance;
  owns: (partition: number) => boolean;
}

describe('query over a run split between two instances', () => {
  // With two commit groups each instance holds one group's partitions (even, odd) and its own log.
  it.each([1, 2])(
    'returns exactly the logical rows replay computes, for all 25 views (%i commit group(s))',
    async (groups) => {
      const records = [
        ...generateRecords({
          seed: 7,
          events: 6000,
          users: 80,
          disorderMs: 20_000,
          faults: { late: 0.02, duplicate: 0.02, invalid: 0.01, future: 0 },
        }),
      ];
      const { store, remove } = await tempStore();
      cleanups.push(remove);
      const instances = new Map<JobName, Instance[]>();
      for (const job of JOBS) {
        const half = (owns: (p: number) => boolean, id: string): Instance => ({
          engine: createJobEngine(job, LAW_OPTIONS),
          writer: new FakeInstance(
            store,
            job,
            id,
            JOB_TOPICS[job].flatMap((topic) =>
              refs(topic, 0, 1, 2, 3, 4, 5).filter((r) => owns(r.partition)),
            ),
            { groups },
          ),
          owns,
        });
        instances.set(
          job,
          groups === 1
            ? [half((p) => p < 3, 'low'), half((p) => p >= 3, 'high')]
            : [half((p) => p % 2 === 0, 'even'), half((p) => p % 2 === 1, 'odd')],
        );
      }
      const commit = async (instance: Instance, ended: boolean) => {
        if (ended) instance.engine.endOfInput();
        const rows = Object.fromEntries(instance.engine.drainFinal()) as Record<string, ViewRow[]>;
        const watermarks = new Map(
          instance.engine.watermarks().map((w) => [`${w.topic}:${w.partition}`, w.watermarkMs]),
        );
        await instance.writer.commit(
          (ref) => (ended ? Infinity : (watermarks.get(`${ref.topic}:${ref.partition}`) ?? -Infinity)),
          rows,
        );
      };

      for (let start = 0; start < records.length; start += 1500) {
        for (const [job, pair] of instances) {
          for (const instance of pair) {
            const batch = records
              .slice(start, start + 1500)
              .filter(
                (r: SourceRecord) => jobOfTopic(r.topic as Topic) === job && instance.owns(r.partition),
              );
            instance.engine.process(batch);
            await commit(instance, false);
          }
        }
      }
      for (const pair of instances.values()) for (const instance of pair) await commit(instance, true);

      const query = new ViewQuery(store);
      const rowsByView = new Map<string, ViewRow[]>();
      for (const view of VIEW_NAMES) rowsByView.set(view, (await query.query({ view })).rows);
      const expected = await replay(records, { ...LAW_OPTIONS, batchSize: 10_000 });

      expect([...expected.rowsByView.values()].flat().length).toBeGreaterThan(500);
      expect(
        differences({ rowsByView, rejected: [] }, { rowsByView: expected.rowsByView, rejected: [] }, 5),
      ).toEqual([]);
    },
  );
});
