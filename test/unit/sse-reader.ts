/**
 * A plain HTTP client of a Server-Sent-Events stream for the stream tests: it parses events as they
 * come (event, id, data as JSON; comment lines apart) and lets a test wait for the next one that
 * matches. Streams it opens are closed when the test finishes.
 */
import { request, type IncomingMessage } from 'node:http';
import { onTestFinished } from 'vitest';

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: Record<string, unknown> & { view: string; rows: Record<string, unknown>[] };
}

export interface SseStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every event so far, in order. */
  events: SseEvent[];
  comments: string[];
  /** Resolves with the first event from `from` on (index into events) that matches; rejects once the stream ends. */
  next(match?: (event: SseEvent) => boolean, from?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters = new Set<() => void>();
      let done = false;
      let buffer = '';
      let body = '';
      response.setEncoding('utf8');
      const ended = new Promise<void>((resolveEnd) => {
        const finish = () => {
          done = true;
          for (const wake of waiters) wake();
          resolveEnd();
        };
        response.once('end', finish);
        response.once('close', finish);
        response.once('error', finish);
      });
      response.on('data', (chunk: string) => {
        if (response.statusCode !== 200) return void (body += chunk);
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else fields[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 2);
          }
          if (fields.event !== undefined)
            events.push({
              event: fields.event,
              id: fields.id,
              data: JSON.parse(fields.data ?? '{}') as SseEvent['data'],
            });
        }
        for (const wake of waiters) wake();
      });
      const stream: SseStream = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        comments,
        ended,
        next: (match = () => true, from = 0) =>
          new Promise((resolveNext, rejectNext) => {
            const check = () => {
              const found = events.slice(from).find(match);
              if (found !== undefined) {
                waiters.delete(check);
                resolveNext(found);
              } else if (done) {
                waiters.delete(check);
                rejectNext(
                  new Error(
                    `the stream ended without the event; got ${events.length} events: ${events.map((e) => `${e.event} ${e.id ?? ''}`).join(', ')}`,
                  ),
                );
              }
            };
            waiters.add(check);
            check();
          }),
        close: () => req.destroy(),
      };
      if (response.statusCode !== 200)
        response.once('end', () => resolve({ ...stream, data: body } as SseStream & { data: string }));
      else resolve(stream);
    });
    req.once('error', reject);
    req.end();
    onTestFinished(() => void req.destroy());
  });
}

/** The JSON body of a stream request that was refused (not 200). */
export function refusedBody(stream: SseStream): Record<string, unknown> {
  return JSON.parse((stream as SseStream & { data: string }).data) as Record<string, unknown>;
}
