/**
 * The simulation's agenda: a binary min-heap of actors by wake-up time, ties broken by insertion
 * order so a run is deterministic. Parallel arrays, so scheduling allocates nothing.
 */
export class ClockQueue<T> {
  private readonly timesMs: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Wake-up time of the earliest item; Infinity when empty. */
  peekTimeMs(): number {
    return this.items.length === 0 ? Infinity : this.timesMs[0]!;
  }

  push(item: T, timeMs: number): void {
    let i = this.items.length;
    const seq = this.nextSeq++;
    this.timesMs.push(timeMs);
    this.seqs.push(seq);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(timeMs, seq, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, timeMs, seq, item);
  }

  /** Removes and returns the earliest item (undefined when empty). */
  pop(): T | undefined {
    const count = this.items.length;
    if (count === 0) return undefined;
    const top = this.items[0]!;
    const lastTime = this.timesMs.pop()!;
    const lastSeq = this.seqs.pop()!;
    const lastItem = this.items.pop()!;
    if (count === 1) return top;
    const size = count - 1;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(this.timesMs[right]!, this.seqs[right]!, left) ? right : left;
      if (!this.childFirst(child, lastTime, lastSeq)) break;
      this.move(child, i);
      i = child;
    }
    this.put(i, lastTime, lastSeq, lastItem);
    return top;
  }

  private childFirst(child: number, timeMs: number, seq: number): boolean {
    const childTime = this.timesMs[child]!;
    return childTime < timeMs || (childTime === timeMs && this.seqs[child]! < seq);
  }

  /** Whether (timeMs, seq) comes before the entry at index. */
  private before(timeMs: number, seq: number, index: number): boolean {
    const other = this.timesMs[index]!;
    return timeMs < other || (timeMs === other && seq < this.seqs[index]!);
  }

  private move(from: number, to: number): void {
    this.timesMs[to] = this.timesMs[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.items[to] = this.items[from]!;
  }

  private put(index: number, timeMs: number, seq: number, item: T): void {
    this.timesMs[index] = timeMs;
    this.seqs[index] = seq;
    this.items[index] = item;
  }
}
