/**
 * GET /v1/alerts/stream: Server-Sent Events, `event: alert` with one transition as data and an id that
 * grows (ms since the epoch, bumped when two share a ms). A client reconnecting with `Last-Event-ID`
 * first gets the transitions after it that this process still holds (the last 1000), then the live
 * ones. `: keep-alive` every 15 s; a client that does not read (more than 1 MiB unsent) is cut off.
 */
import type { ServerResponse } from 'node:http';
import type { AlertDocument } from './alert-document.ts';

export interface AlertStreamOptions {
  capacity: number;
  maxClientBytes: number;
  keepAliveMs: number;
}

const DEFAULTS: AlertStreamOptions = { capacity: 1000, maxClientBytes: 1024 * 1024, keepAliveMs: 15_000 };

export class AlertStream {
  private readonly options: AlertStreamOptions;
  private readonly recent: { id: number; text: string }[] = [];
  private readonly clients = new Set<ServerResponse>();
  private lastId = 0;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  /** Clients cut off for not reading. */
  dropped = 0;

  constructor(options: Partial<AlertStreamOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  publish(document: AlertDocument): void {
    this.lastId = Math.max(Date.now(), this.lastId + 1);
    const text = `event: alert\nid: ${this.lastId}\ndata: ${JSON.stringify(document)}\n\n`;
    this.recent.push({ id: this.lastId, text });
    if (this.recent.length > this.options.capacity) this.recent.shift();
    for (const client of this.clients) this.send(client, text);
  }

  /** Takes over `response` until the client goes away (or close()). */
  attach(response: ServerResponse, lastEventId: string | undefined): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(': alerts\n\n');
    const afterId = Number(lastEventId);
    if (lastEventId !== undefined && Number.isFinite(afterId))
      for (const { id, text } of this.recent) if (id > afterId) this.send(response, text);
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    this.keepAlive ??= setInterval(() => {
      for (const client of this.clients) this.send(client, ': keep-alive\n\n');
    }, this.options.keepAliveMs).unref();
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private send(client: ServerResponse, text: string): void {
    if (client.writableLength > this.options.maxClientBytes) {
      this.dropped++;
      this.clients.delete(client);
      client.destroy();
      return;
    }
    client.write(text);
  }
}
