/**
 * The generated records the engine benches feed a job: the same seed, users and disorder for every
 * bench, so their figures compare; values as strings, as the Kafka path hands them on.
 */
import { JOB_TOPICS, type JobName } from '../../src/events/topics.ts';
import type { SourceRecord } from '../../src/events/record.ts';
import { generateRecords } from '../../src/generator/index.ts';
import { text } from '../fixtures/record-text.ts';

export function benchRecords(job: JobName, count: number): SourceRecord[] {
  const records: SourceRecord[] = [];
  for (const record of generateRecords({
    seed: 11,
    users: 5000,
    disorderMs: 60_000,
    topics: JOB_TOPICS[job],
  })) {
    records.push({ ...record, value: Buffer.from(text(record.value), 'utf8').toString('utf8') });
    if (records.length >= count) break;
  }
  return records;
}
