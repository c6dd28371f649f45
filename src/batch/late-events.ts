/**
 * The late events of a day: archive rows with `speed_status = 'late'` in `raw/<topic>/date=D/` (the
 * archive dates records by event_time), counted per topic in DuckDB over the live files of that date —
 * the records the speed layer left out and the batch layer counted, which explain the differences.
 */
import type { ObjectStore } from '../storage/object-store.ts';
import { withSession } from '../oracle/oracle-session.ts';
import { keysOf, readArchive } from './archive-tables.ts';
import type { BatchLayout } from './batch-layout.ts';
import { localCopies } from './local-archive.ts';

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Late events of `day` per topic (0 for a topic without archive). */
export async function countLateEvents(
  store: ObjectStore,
  layout: BatchLayout,
  topics: readonly string[],
  day: string,
): Promise<Record<string, number>> {
  const archive = await readArchive(store, layout, topics);
  const counts: Record<string, number> = {};
  for (const topic of topics) {
    const local = await localCopies(store, keysOf(store, layout, archive.get(topic)!, [day]));
    try {
      counts[topic] =
        local.paths.length === 0
          ? 0
          : await withSession(async ({ connection }) => {
              const reader = await connection.runAndReadAll(
                `SELECT count(*) AS late FROM read_parquet([${local.paths.map(quote).join(', ')}], ` +
                  `union_by_name = true) WHERE speed_status = 'late'`,
              );
              return Number(reader.getRowObjectsJS()[0]!.late);
            });
    } finally {
      await local.release();
    }
  }
  return counts;
}
