/**
 * At most one commit in flight (docs/runner.md "Commits overlap processing"). `start` runs the commit's
 * synchronous part at once — so a record processed afterwards belongs to the next commit — and leaves its
 * storage part (stage, checkpoint, publish, tidy up) running in the background. `settle` waits for it and
 * takes its outcome: `committed`, `fenced` (another writer committed one of its partitions: an outcome, not
 * an error), or its failure, rethrown. The next start refuses to run before its predecessor is settled,
 * which is the backpressure when storage is slower than the commit interval, and so do changes of
 * ownership. What a commit holds is not decided here (commit-contents.ts).
 */
import type { CommitResult } from '../io/commit.ts';
import type { CommitGroups, GroupResult, GroupWrite } from '../io/commit-groups.ts';
import { isStorageError } from '../../storage/storage-error.ts';

export interface Committed {
  kind: 'committed';
  /** The groups' results as one (summedResult). */
  result: CommitResult;
  /** Per group written. */
  results: GroupResult[];
  /** Rows published. */
  rows: number;
  /** The synchronous part. */
  prepareMs: number;
}

export type CommitOutcome = Committed | { kind: 'fenced'; message: string };

/** A commit's synchronous part done: what to write, and the bookkeeping once it is visible. */
export interface PreparedWrite {
  writes: readonly GroupWrite[];
  /** Runs when the files are visible (before the tidy-up), at `visibleMs`; throwing fails the commit. */
  visible(results: GroupResult[], visibleMs: number): Committed;
}

type Settled = { ok: true; outcome: CommitOutcome } | { ok: false; error: unknown };

export class CommitPipeline {
  /** When the latest commit started (the commit cadence). */
  startedAtMs: number;
  /** When the last commit became visible (health). */
  visibleAtMs: number;
  private inflight: Promise<Settled> | undefined;
  private inflightDone = false;

  constructor(
    private readonly job: string,
    private readonly committer: Pick<CommitGroups, 'commitVisible' | 'tidied'>,
    private readonly nowMs: () => number,
  ) {
    this.startedAtMs = this.visibleAtMs = nowMs();
  }

  /** Starts a commit: `prepare` (the synchronous part) now, its storage part in the background. */
  start(prepare: () => PreparedWrite): void {
    this.assertIdle();
    this.startedAtMs = this.nowMs();
    const write = prepare();
    // The outcome (or error) is kept for settle(): a rejection nobody awaits yet must not go unhandled.
    this.inflightDone = false;
    // Visible first (the latencies count to then), and the tidy-up of storage is part of being in flight.
    this.inflight = this.committer.commitVisible(write.writes).then(
      async (results): Promise<Settled> => {
        try {
          this.visibleAtMs = this.nowMs();
          const outcome = write.visible(results, this.visibleAtMs);
          await this.committer.tidied();
          return { ok: true, outcome };
        } catch (error) {
          return { ok: false, error };
        }
      },
      (error: unknown): Settled =>
        isStorageError(error, 'fenced')
          ? { ok: true, outcome: { kind: 'fenced', message: error.message } }
          : { ok: false, error },
    );
    void this.inflight.then(() => (this.inflightDone = true));
  }

  /** True while a commit's I/O is under way or its outcome has not been taken by `settle()`. */
  get inFlight(): boolean {
    return this.inflight !== undefined;
  }

  /** True when the commit in flight has finished and `settle()` would not wait. */
  get done(): boolean {
    return this.inflightDone;
  }

  /** Throws while a commit is in flight: one at a time. */
  assertIdle(): void {
    if (this.inflight !== undefined) throw new Error(`${this.job}: a commit is already in flight`);
  }

  /** Ownership changes only between commits: a commit in flight holds its partitions' bookkeeping. */
  assertSettled(): void {
    if (this.inflight !== undefined) throw new Error(`${this.job}: settle the commit in flight first`);
  }

  /** Waits for the commit in flight; its outcome, or undefined when none was in flight. Rethrows its error. */
  async settle(): Promise<CommitOutcome | undefined> {
    const inflight = this.inflight;
    if (inflight === undefined) return undefined;
    const settled = await inflight;
    this.inflight = undefined;
    this.inflightDone = false;
    if (!settled.ok) throw settled.error;
    return settled.outcome;
  }
}

/**
 * The groups' results as one: the highest commit number, the most tries of any group (a commit retried
 * in one log), the longest duration; conflicts and bytes summed.
 */
export function summedResult(results: readonly GroupResult[]): CommitResult {
  return {
    commit: Math.max(0, ...results.map((r) => r.commit)),
    published: results.flatMap((r) => r.published),
    checkpointBytes: sum(results, (r) => r.checkpointBytes),
    attempts: Math.max(1, ...results.map((r) => r.attempts)),
    conflicts: sum(results, (r) => r.conflicts),
    restagedBytes: sum(results, (r) => r.restagedBytes),
    durationMs: Math.max(0, ...results.map((r) => r.durationMs)),
  };
}

function sum(results: readonly GroupResult[], of: (result: GroupResult) => number): number {
  return results.reduce((total, result) => total + of(result), 0);
}
