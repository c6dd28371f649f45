/** The record trees a commit writes pending and a completion gathers (io/pending-records.ts). */
import type { Topic } from '../../events/topics.ts';
import { pendingDeadLetterPrefix, pendingRawPrefix, type StorageLayout } from '../../storage/layout.ts';
import { archiveFiles } from './archive-files.ts';
import { ndjsonLines, ndjsonParts } from './ndjson-parts.ts';
import type { RecordDataset } from './pending-records.ts';

/** Rejected records: `<topic>/date=…` directories, gathered as NDJSON as they are. */
export function deadLetterDataset(layout: StorageLayout): RecordDataset {
  return {
    tree: 'dead_letter',
    pendingPrefix: pendingDeadLetterPrefix(layout),
    gathered: (dir, bodies) =>
      Promise.resolve(ndjsonParts(`${layout.deadLetterPrefix}${dir}`, bodies.flatMap(ndjsonLines))),
  };
}

/** Accepted and late records: a `<topic>` directory each, gathered as Parquet by event date. */
export function rawDataset(layout: StorageLayout): RecordDataset {
  return {
    tree: 'raw',
    pendingPrefix: pendingRawPrefix(layout),
    gathered: (dir, bodies) => archiveFiles(`${layout.rawPrefix}${dir}`, dir as Topic, bodies),
  };
}
