/**
 * A subscriber of `serve`'s live updates for the load scenarios: a plain HTTP client of one stream
 * that parses Server-Sent Events as they come and keeps, per `final` event, the view, its
 * complete_through and when it arrived, and per `provisional` event how long after its `as_of` (when
 * the job took the values) it arrived.
 */
import { request, type ClientRequest } from 'node:http';

export interface ReceivedFinal {
  view: string;
  completeThroughMs: number;
  rows: number;
  receivedMs: number;
}

export class SseSubscriber {
  readonly finals: ReceivedFinal[] = [];
  provisional = 0;
  /** Per provisional event: arrival − as_of, ms. */
  readonly provisionalDelaysMs: number[] = [];
  /** Set when the server ended the stream or the connection failed. */
  closedBy: string | undefined;
  private readonly request: ClientRequest;
  private firstEvent!: () => void;
  /** Resolves on the first event (the stream has started). */
  readonly started = new Promise<void>((resolve) => (this.firstEvent = resolve));

  constructor(url: string) {
    this.request = request(url, { headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) this.closedBy = `status ${response.statusCode}`;
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          this.onEvent(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      });
      response.once('close', () => (this.closedBy ??= 'the server ended the stream'));
    });
    this.request.once('error', (error) => (this.closedBy ??= error.message));
    this.request.end();
  }

  private onEvent(block: string): void {
    const receivedMs = performance.timeOrigin + performance.now();
    let event = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (event === '') return; // a keep-alive comment
    this.firstEvent();
    if (event === 'provisional') {
      this.provisional++;
      const asOf = (JSON.parse(data) as { as_of: string | null }).as_of;
      if (asOf !== null) this.provisionalDelaysMs.push(receivedMs - Date.parse(asOf));
    }
    if (event !== 'final') return;
    const body = JSON.parse(data) as { view: string; complete_through: string; rows: unknown[] };
    this.finals.push({
      view: body.view,
      completeThroughMs: Date.parse(body.complete_through),
      rows: body.rows.length,
      receivedMs,
    });
  }

  /** Whether each view's finals came with a complete_through above the one before (no repeats). */
  get inOrder(): boolean {
    const last = new Map<string, number>();
    for (const { view, completeThroughMs } of this.finals) {
      if (completeThroughMs <= (last.get(view) ?? -Infinity)) return false;
      last.set(view, completeThroughMs);
    }
    return true;
  }

  close(): void {
    this.closedBy ??= 'closed by the scenario';
    this.request.destroy();
  }
}
