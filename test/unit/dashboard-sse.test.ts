/**
 * The dashboard's event-stream client (src/dashboard/public/sse.js) in Node, which has the same fetch:
 * against a local server it sends the first Last-Event-ID it is given, reconnects with the id of the
 * last event after the server closes the stream, and reports a 404 as `unavailable` without retrying.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openStream, type SseEvent } from '../../src/dashboard/public/sse.js';

const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function listen(server: FastifyInstance): Promise<string> {
  servers.push(server);
  return server.listen({ host: '127.0.0.1', port: 0 });
}

describe('openStream', () => {
  it('resumes from the id it was given, then from the last event id after a reconnect', async () => {
    const seenIds: (string | undefined)[] = [];
    const server = Fastify({ logger: false });
    server.get('/v1/stream', (request, reply) => {
      seenIds.push(request.headers['last-event-id'] as string | undefined);
      const n = seenIds.length;
      // Each connection sends one final event and ends: the client must come back with its id.
      reply
        .type('text/event-stream')
        .send(`: keep-alive\n\nevent: final\nid: v:${n}000\ndata: {"n":${n}}\n\n`);
    });
    const url = `${await listen(server)}/v1/stream?views=v`;
    const events: SseEvent[] = [];
    const statuses: string[] = [];

    const stream = openStream(
      url,
      { lastEventId: 'v:500', retryMs: 50 },
      { onEvent: (event) => events.push(event), onStatus: (status) => statuses.push(status) },
    );
    await expect.poll(() => events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    stream.close();

    expect(seenIds.slice(0, 2)).toEqual(['v:500', 'v:1000']);
    expect(events.slice(0, 2)).toEqual([
      { event: 'final', data: '{"n":1}', id: 'v:1000' },
      { event: 'final', data: '{"n":2}', id: 'v:2000' },
    ]);
    expect(statuses.slice(0, 2)).toEqual(['open', 'reconnecting']);
  });

  it('says unavailable once for a server without the route, and stops there', async () => {
    let requests = 0;
    const server = Fastify({ logger: false });
    server.setNotFoundHandler((_request, reply) => {
      requests++;
      return reply.code(404).send({ error: 'not_found' });
    });
    const url = `${await listen(server)}/v1/stream?views=v`;
    const statuses: string[] = [];

    openStream(
      url,
      { retryMs: 20 },
      { onEvent: () => undefined, onStatus: (status) => statuses.push(status) },
    );
    await expect.poll(() => statuses, { timeout: 10_000 }).toEqual(['unavailable']);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(requests).toBe(1);
    expect(statuses).toEqual(['unavailable']);
  });
});
