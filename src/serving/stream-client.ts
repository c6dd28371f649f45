/**
 * One Server-Sent-Events connection. Every event is written at once; what the client has not taken yet
 * waits in the response's buffer, and a client whose unsent bytes pass `maxBufferedBytes` is
 * disconnected (counted by the caller through `onDrop`) instead of growing the server's memory. A comment
 * every `keepAliveMs` keeps proxies and the idle timeout from closing a quiet stream.
 */
import type { ServerResponse } from 'node:http';
import { KEEP_ALIVE } from './stream-events.ts';

export interface SseClientLimits {
  maxBufferedBytes: number;
  keepAliveMs: number;
  /** A catch-up waiting this long for the client to take its buffer drops the client. */
  stallTimeoutMs: number;
}

export class SseClient {
  private closed = false;
  private readonly closeListeners = new Set<() => void>();
  private readonly keepAlive: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    private readonly limits: SseClientLimits,
    private readonly onDrop: () => void,
  ) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // The stream is the only answer on its connection: closed with it, so shutdown never waits on it.
      connection: 'close',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    this.keepAlive = setInterval(() => this.send(KEEP_ALIVE), limits.keepAliveMs);
    this.keepAlive.unref();
    response.once('close', () => this.finish());
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Bytes written but not yet taken by the client. */
  get bufferedBytes(): number {
    return this.closed ? 0 : this.response.writableLength;
  }

  /** Writes an event; false when the client is gone or has just been dropped for not reading. */
  send(text: string): boolean {
    if (this.closed) return false;
    this.response.write(text);
    if (this.response.writableLength <= this.limits.maxBufferedBytes) return true;
    this.onDrop();
    this.response.destroy();
    this.finish();
    return false;
  }

  /**
   * Resolves true once less than half the buffer limit waits (at once for a client that keeps up), false
   * when the client is gone; a client that takes nothing for `stallTimeoutMs` is dropped.
   */
  room(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.response.writableLength < this.limits.maxBufferedBytes / 2) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.response.off('drain', drained);
        forget();
        resolve(ok && !this.closed);
      };
      const drained = () => done(true);
      const timer = setTimeout(() => {
        this.onDrop();
        this.response.destroy();
        this.finish();
        done(false);
      }, this.limits.stallTimeoutMs);
      this.response.once('drain', drained);
      const forget = this.onClose(() => done(false));
    });
  }

  /** Ends the stream (server shutdown): the client sees the connection close and may reconnect. */
  end(): void {
    if (this.closed) return;
    this.response.end();
    this.finish();
  }

  /** Calls `listener` once the stream is closed; returns a function that forgets it. */
  onClose(listener: () => void): () => void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const listener of listeners) listener();
  }
}
