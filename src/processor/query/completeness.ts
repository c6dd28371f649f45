/**
 * How far a job's views are complete, from its completion log (docs/storage.md "Completion"): every
 * logical row whose completion time is at or before `watermarkMs` (the latest completion's
 * `completedThrough`) is in the views tree, exactly once. The log is shared by every instance of the job.
 */
import type { JobName } from '../../events/topics.ts';
import { CompletionLog, type CompletionRecord } from '../io/completion-log.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';

export interface JobCompleteness {
  job: JobName;
  /** complete_through: −∞ until the first completion. */
  watermarkMs: number;
  /** The latest completion record (number 0 before the first). */
  latest: CompletionRecord;
  /** Every completion record still in the log, newest first (their files may still be in staging). */
  records: CompletionRecord[];
}

export class CompletenessReader {
  private readonly logs = new Map<JobName, CompletionLog>();

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
  ) {}

  async read(job: JobName): Promise<JobCompleteness> {
    let log = this.logs.get(job);
    if (log === undefined) {
      log = new CompletionLog(this.store, this.layout, job);
      this.logs.set(job, log);
    }
    const latest = await log.sync();
    return { job, watermarkMs: latest.completedThroughMs, latest, records: log.recordsNewestFirst() };
  }
}
