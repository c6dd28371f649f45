/**
 * NDJSON lines kept as UTF-8 bytes from the moment they are made. A commit's pending archive holds
 * every record of the last second until the commit takes it: kept as strings, those outlived the young
 * generation (the GC copied and promoted them) and were encoded once more at the commit. Here a line
 * costs two writes into a chunk, and the commit concatenates chunks.
 */

const CHUNK_BYTES = 64 * 1024;
/** UTF-8 bytes per UTF-16 unit at most (a lone surrogate becomes U+FFFD, also 3). */
const MAX_BYTES_PER_UNIT = 3;
const NEWLINE = 0x0a;

export class LineBytes {
  private readonly filled: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(0);
  private used = 0;

  /** Appends the line `head` + `text` (neither holding a newline) and its newline. */
  push(head: string, text: string): void {
    const most = (head.length + text.length) * MAX_BYTES_PER_UNIT + 1;
    if (this.used + most > this.chunk.length) this.nextChunk(most);
    this.used += this.chunk.write(head, this.used);
    this.used += this.chunk.write(text, this.used);
    this.chunk[this.used++] = NEWLINE;
  }

  /** The lines written, each ending in a newline. */
  parts(): Buffer[] {
    return this.used > 0 ? [...this.filled, this.chunk.subarray(0, this.used)] : [...this.filled];
  }

  private nextChunk(most: number): void {
    if (this.used > 0) this.filled.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
    this.used = 0;
  }
}
