/**
 * Slow, idle and too many clients, on a real loopback socket. Limits are a few hundred ms so the tests are
 * quick, but nothing asserts how soon a socket closes: only that it does (408 where the server can still
 * answer), within GIVE_UP_MS, far below the old defaults (no request timeout, 60 s for headers, 72 s
 * keep-alive, no connection cap).
 */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectionLimits } from '../../src/shared/connection-limits.ts';
import { wireValue } from '../fixtures/valid-events.ts';
import { startWithFakes, type FakeOptions } from './ingest-test-server.ts';

const GIVE_UP_MS = 20_000;
/** Limits no test reaches; each test lowers the one it is about. */
const RELAXED = {
  headersTimeoutMs: 60_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 60_000,
  maxConnections: 100,
};

async function listening(
  connections: FakeOptions['connections'],
  ackAfter = Promise.resolve(),
): Promise<number> {
  const { server, state } = startWithFakes({ connections: { ...RELAXED, ...connections } });
  state.ackAfter = ackAfter;
  await server.listen({ host: '127.0.0.1', port: 0 });
  return (server.server.address() as AddressInfo).port;
}

/** A client socket; `closed` resolves when the server closed it (a reset counts). */
function openSocket(port: number) {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let isClosed = false;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  onTestFinished(() => void socket.destroy());
  return { socket, closed, received: () => received, isClosed: () => isClosed };
}

/** True once `closed` resolved; false after GIVE_UP_MS. */
async function closesWithin(closed: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), GIVE_UP_MS)));
  try {
    return await Promise.race([closed.then(() => true as const), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes `text` one byte every `everyMs` until done or the socket closes. */
function dribble(socket: ReturnType<typeof openSocket>['socket'], text: string, everyMs = 50): void {
  let next = 0;
  const timer = setInterval(() => {
    if (next >= text.length || socket.destroyed) clearInterval(timer);
    else socket.write(text[next++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

const body = wireValue('logout').padEnd(2000, ' ');
/** A POST of `body` up to the blank line; `extra` is more header lines, each ending in CRLF. */
function postHead(extra = ''): string {
  return `POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${body.length}\r\n${extra}\r\n`;
}
const headers = postHead();

describe('slow and idle clients', () => {
  it('answers 408 and closes the socket when the headers dribble in', async () => {
    const port = await listening({ headersTimeoutMs: 300, requestTimeoutMs: 300 });
    const client = openSocket(port);

    dribble(client.socket, headers);

    expect(await closesWithin(client.closed)).toBe(true);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 and closes the socket when the body dribbles in', async () => {
    const port = await listening({ headersTimeoutMs: 300, requestTimeoutMs: 500 });
    const client = openSocket(port);

    client.socket.write(headers);
    dribble(client.socket, body);

    expect(await closesWithin(client.closed)).toBe(true);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a socket that never sends a request', async () => {
    const port = await listening({ headersTimeoutMs: 300 });
    const client = openSocket(port);
    expect(await closesWithin(client.closed)).toBe(true);
  });

  it('closes a socket that goes silent in the middle of a body', async () => {
    const port = await listening({ idleTimeoutMs: 300 });
    const client = openSocket(port);

    client.socket.write(headers + body.slice(0, 10));

    expect(await closesWithin(client.closed)).toBe(true);
  });

  it('closes a keep-alive socket left idle after its response', async () => {
    const port = await listening({ keepAliveTimeoutMs: 300 });
    const client = openSocket(port);

    client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');

    expect(await closesWithin(client.closed)).toBe(true);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('does not cut off a request whose body arrived while it waits longer than the request timeout for the broker', async () => {
    const slowAck = new Promise<void>((resolve) => setTimeout(resolve, 5000));
    const port = await listening({ headersTimeoutMs: 2000, requestTimeoutMs: 2000 }, slowAck);
    const client = openSocket(port);

    client.socket.write(postHead('Connection: close\r\n') + body);

    expect(await closesWithin(client.closed)).toBe(true);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes connections beyond maxConnections at once and serves the ones it holds', async () => {
    const port = await listening({ maxConnections: 3 });
    const clients = Array.from({ length: 5 }, () => openSocket(port));
    let closedCount = 0;
    const twoClosed = new Promise<void>((resolve) => {
      for (const client of clients) void client.closed.then(() => ++closedCount === 2 && resolve());
    });

    expect(await closesWithin(twoClosed)).toBe(true);
    const refused = clients.filter((client) => client.isClosed());
    const held = clients.filter((client) => !client.isClosed());
    expect(refused.map((client) => client.received())).toEqual(['', '']);
    expect(held).toHaveLength(3);
    for (const client of held)
      client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    for (const client of held) {
      expect(await closesWithin(client.closed)).toBe(true);
      expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    }
  });
});

describe('connectionLimits', () => {
  it('fills in defaults, the headers timeout capped by the request timeout', () => {
    expect(connectionLimits({ requestTimeoutMs: 2000 })).toMatchObject({
      requestTimeoutMs: 2000,
      headersTimeoutMs: 2000,
    });
  });

  it('refuses limits that are not positive whole numbers, naming the option', () => {
    expect(() => connectionLimits({ maxConnections: 0 })).toThrow(
      'connectionLimits: maxConnections must be a whole number > 0, got 0',
    );
    expect(() => connectionLimits({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(
      'connectionLimits: headersTimeoutMs (5000) must not exceed requestTimeoutMs (1000)',
    );
  });
});
