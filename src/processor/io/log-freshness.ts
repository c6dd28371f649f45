/**
 * How fresh a writer's view of a numbered log (commits, completions) is.
 *
 * A writer appends N = latest + 1 with a conditional put, and old records are pruned. A writer whose
 * `latest` is old could find N already written by others *and pruned*: its put would then "create" N
 * a second time, and readers would take it for the record that was there (its files would even land on
 * the final keys of the pruned record's). Pruning only removes records older than a retention, so a
 * writer that listed the log (or made its own last append) less than half that retention ago cannot
 * meet a pruned N; an older view is listed again before the put. Half the retention is the margin for
 * clock skew between the writer that stamped a record and the one that pruned it, and for the put.
 *
 * Times are monotonic (`performance.now()`): a paused process sees its pause.
 */
export class LogFreshness {
  /** When the writer last knew the newest number: the start of a listing or of its own successful put. */
  private knownAtMs = -Infinity;

  constructor(
    /** Half the log's retention. */
    private readonly freshForMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  now(): number {
    return this.clock();
  }

  /** A listing (or a put that created the newest number) that started at `startedAtMs`. */
  knewAt(startedAtMs: number): void {
    this.knownAtMs = Math.max(this.knownAtMs, startedAtMs);
  }

  /** Whether an append now may trust the newest number known. */
  get fresh(): boolean {
    return this.clock() - this.knownAtMs < this.freshForMs;
  }
}
