/**
 * Group commit: callers add items and wait until a flush that contains them has completed. One flush is
 * in flight at a time; what arrives meanwhile waits and goes out together in the next one, so under load
 * batches grow to whatever the sink's round trip needs and at rest an item waits at most `lingerMs`.
 * Used for the Kafka producer (one sendBatch for many HTTP requests) and the dead-letter writer (one
 * object per flush instead of one per request). A failed flush rejects exactly the callers in it.
 */
export interface GroupCommitOptions<T> {
  /** Writes one batch; resolves when it is durable (broker acks, object stored). */
  flush(items: T[]): Promise<void>;
  /** Size of an item (e.g. bytes) for the `maxBatchWeight` cap; default 1 per item. */
  weigh?(item: T): number;
  /** A batch stops growing at this total weight (one item heavier than that still goes alone). */
  maxBatchWeight: number;
  /** Wait this long after the first item of an idle period before flushing; default 0 (flush at once). */
  lingerMs?: number;
}

interface Waiter {
  /** Absolute sequence numbers of the caller's items: [start, end). */
  start: number;
  end: number;
  resolve(): void;
  reject(error: unknown): void;
}

export class GroupCommitter<T> {
  private queue: T[] = [];
  private weights: number[] = [];
  /** Callers in order of their items; settled ones are removed. */
  private waiters: Waiter[] = [];
  /** Items ever added / ever handed to a flush (absolute sequence numbers). */
  private addedCount = 0;
  private takenCount = 0;
  private running: Promise<void> | null = null;
  private readonly lingerMs: number;

  constructor(private readonly options: GroupCommitOptions<T>) {
    this.lingerMs = options.lingerMs ?? 0;
    if (!(options.maxBatchWeight > 0))
      throw new Error(`GroupCommitter: maxBatchWeight must be > 0, got ${options.maxBatchWeight}`);
    if (!(this.lingerMs >= 0)) throw new Error(`GroupCommitter: lingerMs must be >= 0, got ${this.lingerMs}`);
  }

  /** Items waiting, not yet handed to a flush. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** Resolves once every item is flushed; rejects with the error of the first flush of its items that failed. */
  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const weigh = this.options.weigh;
    for (const item of items) {
      this.queue.push(item);
      this.weights.push(weigh === undefined ? 1 : weigh(item));
    }
    const start = this.addedCount;
    this.addedCount += items.length;
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push({ start, end: this.addedCount, resolve, reject });
    });
    this.running ??= this.run();
    return done;
  }

  /** Resolves when nothing is queued or in flight (shutdown). */
  async drain(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async run(): Promise<void> {
    if (this.lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
    while (this.queue.length > 0) {
      const count = this.batchLength();
      const batch = this.queue.splice(0, count);
      this.weights.splice(0, count);
      const from = this.takenCount;
      this.takenCount += count;
      try {
        await this.options.flush(batch);
        this.settle(from, this.takenCount, undefined, false);
      } catch (error) {
        this.settle(from, this.takenCount, error, true);
      }
    }
    this.running = null;
  }

  /** How many queued items the next batch takes (at least one). */
  private batchLength(): number {
    let total = this.weights[0]!;
    let count = 1;
    while (count < this.queue.length && total + this.weights[count]! <= this.options.maxBatchWeight) {
      total += this.weights[count]!;
      count++;
    }
    return count;
  }

  /**
   * After the flush of items [from, to): callers with an item in it are rejected if it failed; callers
   * whose last item is in it are resolved. A rejected caller's remaining items are still flushed (the
   * client retries the request; downstream deduplicates by event_id).
   */
  private settle(from: number, to: number, error: unknown, failed: boolean): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (failed && waiter.start < to && waiter.end > from) {
        waiter.reject(error);
        return false;
      }
      if (waiter.end <= to) {
        waiter.resolve();
        return false;
      }
      return true;
    });
  }
}
