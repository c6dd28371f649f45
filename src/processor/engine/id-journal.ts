/**
 * The journal behind incremental snapshots of one partition: the event ids accepted since its last
 * committed snapshot, so the next snapshot may hold only those (with their times) instead of the whole
 * id memory of the partition clock. Capped: when it outgrows the id memory by JOURNAL_SLACK it restarts
 * empty in a new epoch, and only a full snapshot is possible until one commits.
 */

/** The journal restarts (and a delta is impossible) when it outgrows the id memory by this much. */
const JOURNAL_SLACK = 1024;

/** Where the journal stood when a snapshot was encoded (see `IdJournal.mark`). */
export interface JournalMark {
  epoch: number;
  length: number;
  /** The snapshot held every remembered id (not only the journal). */
  full: boolean;
}

export class IdJournal {
  private ids: string[] = [];
  private epoch = 0;
  private complete = true;

  /** Notes an accepted id; `rememberedIds` is the size of the id memory, which caps the journal. */
  accepted(eventId: string, rememberedIds: number): void {
    if (this.ids.push(eventId) > rememberedIds + JOURNAL_SLACK) {
      this.ids = [];
      this.epoch++;
      this.complete = false;
    }
  }

  /** True when the journal holds every id accepted since the last committed snapshot. */
  get canSnapshotIncrementally(): boolean {
    return this.complete;
  }

  /** The journaled ids with their times in `seen` (an id no longer there was swept below the watermark: harmless). */
  entries(seen: ReadonlyMap<string, number>): Map<string, number> {
    const entries = new Map<string, number>();
    for (const eventId of this.ids) {
      const timeMs = seen.get(eventId);
      if (timeMs !== undefined) entries.set(eventId, timeMs);
    }
    return entries;
  }

  mark(full: boolean): JournalMark {
    return { epoch: this.epoch, length: this.ids.length, full };
  }

  /** The snapshot taken at `mark` is committed: later deltas start after it. */
  committed(mark: JournalMark): void {
    if (mark.epoch !== this.epoch) return; // the journal restarted since: still incomplete
    this.ids.splice(0, mark.length);
    if (mark.full) this.complete = true;
  }
}
