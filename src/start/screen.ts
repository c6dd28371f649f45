/**
 * Where the summary goes: on a terminal it is redrawn in place (cursor up over the previous frame, clear
 * to the end of the screen), elsewhere it is printed as a plain block every `plainEveryMs`, so logs of CI
 * runs stay readable.
 */
export interface SummaryOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width: longer lines are cut, since a wrapped line would break the cursor arithmetic. */
  columns?: number;
}

export class SummaryScreen {
  private previousLines = 0;
  private lastPlainMs = -Infinity;

  constructor(
    private readonly output: SummaryOutput,
    private readonly plainEveryMs: number,
  ) {}

  get tty(): boolean {
    return this.output.isTTY === true;
  }

  /** Shows a frame; `force` prints a plain block even when the last one was recent (the final frame). */
  show(lines: readonly string[], nowMs: number, force = false): void {
    if (this.tty) {
      const up = this.previousLines > 0 ? `\x1b[${this.previousLines}F` : '';
      const width = this.output.columns ?? Infinity;
      const fitted = lines.map((line) =>
        line.length > width ? line.slice(0, Math.max(1, width - 1)) : line,
      );
      this.output.write(`${up}\x1b[J${fitted.join('\n')}\n`);
      this.previousLines = lines.length;
      return;
    }
    if (!force && nowMs - this.lastPlainMs < this.plainEveryMs) return;
    this.lastPlainMs = nowMs;
    this.output.write(`${lines.join('\n')}\n\n`);
  }
}
