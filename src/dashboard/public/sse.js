/**
 * Server-Sent Events over fetch rather than EventSource, for three things EventSource cannot do: tell a
 * 404 (no stream route: poll instead) from a network failure, send a first `Last-Event-ID` (resume
 * right after the rows the page already read), and send the bearer token. The parser follows the
 * HTML standard's event-stream rules and is pure (unit tested); `openStream` reconnects with the last id.
 */

/** @typedef {{ event: string, data: string, id: string | undefined }} SseEvent */

export class SseParser {
  #buffer = '';
  #event = '';
  /** @type {string[]} */
  #data = [];
  /** @type {string | undefined} */
  #id = undefined;
  /** The reconnection delay the server asked for (`retry:`), if any. @type {number | undefined} */
  retryMs = undefined;

  /** Feeds decoded text; returns the events it completed. @param {string} text @returns {SseEvent[]} */
  push(text) {
    this.#buffer += text;
    /** @type {SseEvent[]} */
    const events = [];
    let end;
    while ((end = this.#buffer.search(/\r\n|\r|\n/)) !== -1) {
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + (this.#buffer.startsWith('\r\n', end) ? 2 : 1));
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** @param {string} line @returns {SseEvent | undefined} */
  #line(line) {
    if (line === '') {
      const event =
        this.#data.length === 0
          ? undefined
          : { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
      this.#event = '';
      this.#data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined; // a comment: keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }
}

/**
 * @typedef {object} StreamHandlers
 * @property {(event: SseEvent) => void} onEvent
 * @property {(status: 'open' | 'reconnecting' | 'unavailable') => void} onStatus `unavailable`: the route answered 404
 */

/**
 * Opens `url` as an event stream and keeps it open (reconnecting after `retryMs` with the last event id)
 * until `close()` or a 404.
 * @param {string} url
 * @param {{ lastEventId?: string, headers?: Record<string, string>, retryMs?: number }} options
 * @param {StreamHandlers} handlers
 */
export function openStream(url, options, handlers) {
  const abort = new AbortController();
  let lastEventId = options.lastEventId;
  let retryMs = options.retryMs ?? 3000;

  const connect = async () => {
    /** @type {Record<string, string>} */
    const headers = { accept: 'text/event-stream', ...options.headers };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await fetch(url, { headers, signal: abort.signal, cache: 'no-store' });
    if (response.status === 404) return 'unavailable';
    if (!response.ok || response.body === null) return 'retry';
    handlers.onStatus('open');
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 'retry';
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        if (event.id !== undefined) lastEventId = event.id;
        handlers.onEvent(event);
      }
      retryMs = parser.retryMs ?? retryMs;
    }
  };

  const loop = async () => {
    while (!abort.signal.aborted) {
      const outcome = await connect().catch(() => 'retry');
      if (abort.signal.aborted) return;
      if (outcome === 'unavailable') return handlers.onStatus('unavailable');
      handlers.onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void loop();
  return { close: () => abort.abort() };
}
