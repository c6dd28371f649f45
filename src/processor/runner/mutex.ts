/** Serializes the job's critical sections (batch processing, ticks, commits, stop) on one async chain. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private held = false;

  get busy(): boolean {
    return this.held;
  }

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.held = true;
      try {
        return await section();
      } finally {
        this.held = false;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
