/**
 * Completion rounds beside the commits rather than inside them, so a round that publishes complete rows
 * (reads other instances' partial files, writes the complete ones, appends to Delta tables, compacts)
 * never delays the next commit. At most one round runs; a request while one runs asks for one more after
 * it, so the newest commit is always looked at. A failed round is kept and thrown by `throwIfFailed()`
 * (the runner calls it where it takes a commit's outcome), which fails the job like a failed commit.
 */
export class CompletionLoop {
  private running: Promise<void> | undefined;
  private again = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly round: () => Promise<void>) {}

  /** A round now, or right after the one running. */
  request(): void {
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.round();
      } while (this.again && this.failure === undefined);
    } catch (error) {
      this.failure ??= { error };
    } finally {
      this.running = undefined;
    }
  }

  /** True while a round runs or one is asked for. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Waits until no round runs (those asked for meanwhile included). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** Throws the error of a failed round once. */
  throwIfFailed(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure.error;
  }
}
