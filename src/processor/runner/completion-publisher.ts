/**
 * What follows a completion record's put, by its writer or by whoever reads the record first (every step
 * is idempotent): copy its staged files to their final keys, append the new view and raw archive files to
 * their Delta tables, swap in the merged files of its compactions (views, raw archive, dead letters), clean up
 * the tables' logs (docs/delta.md "Cleanup"),
 * and tell readers how far each view is complete.
 */
import type { AnyView } from '../engine/view-definition.ts';
import { mergedKeys, type CompletionRecord } from '../io/completion-log.ts';
import { completenessDocument } from '../io/completeness-document.ts';
import { IO_CONCURRENCY, copyStaged, forEachLimit } from '../io/publish.ts';
import { ViewTables, type PublishedViewFile } from '../io/view-tables.ts';
import { rawTableSet } from '../io/archive-files.ts';
import { completenessKey, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';

export interface PartitionWatermark {
  topic: string;
  partition: number;
  watermarkMs: number;
}

export class CompletionPublisher {
  readonly tables: ViewTables;
  /** The raw archive's topics, Delta tables too. */
  readonly rawTables: ViewTables;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
    private readonly options: {
      job: string;
      views: readonly AnyView[];
      processorVersion: string;
      nowMs: () => number;
    },
  ) {
    this.tables = new ViewTables(store, layout, options.job);
    this.rawTables = new ViewTables(store, layout, options.job, { tables: rawTableSet(layout) });
  }

  /** Copies the record's files, then updates the Delta tables; returns when the rows became visible. */
  async finish(record: CompletionRecord, files: readonly PublishedViewFile[]): Promise<number> {
    await copyStaged(this.store, record.files);
    const visibleMs = this.options.nowMs();
    const merged = mergedKeys(record);
    const appended = files.filter((file) => !merged.has(file.final));
    if (appended.length > 0) {
      await this.tables.append(record.completion, appended, visibleMs);
      await this.rawTables.append(record.completion, appended, visibleMs);
    }
    const byKey = new Map(files.map((file) => [file.final, file]));
    for (const plan of record.compactions ?? []) {
      // The dead-letter tree has no table: its readers keep each Kafka position once meanwhile.
      if (plan.tree === 'dead_letter') {
        await this.store.deleteMany(plan.replaced);
        continue;
      }
      const file = byKey.get(plan.merged);
      await (plan.tree === 'raw' ? this.rawTables : this.tables).compact(
        plan,
        { ...(file?.body && { body: file.body }), ...(file?.rows && { rows: file.rows }) },
        visibleMs,
      );
    }
    // Tables that took a Delta checkpoint since the last call: old log entries and removed files go.
    await this.tables.cleanUp(this.options.nowMs());
    await this.rawTables.cleanUp(this.options.nowMs());
    return visibleMs;
  }

  /** `_completeness.json` of every view of the job, from the record and the partitions' watermarks. */
  async writeCompleteness(
    record: CompletionRecord,
    watermarks: readonly PartitionWatermark[],
  ): Promise<void> {
    const { views, processorVersion, nowMs } = this.options;
    await forEachLimit(views, IO_CONCURRENCY, (view) =>
      this.store.put(
        completenessKey(this.layout, view.name),
        completenessDocument({ view: view.name, record, watermarks, processorVersion, updatedAtMs: nowMs() }),
      ),
    );
  }
}
