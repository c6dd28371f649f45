import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/stack/s3-client.ts';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { isStorageError } from '../../src/storage/storage-error.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An S3 that accepts connections and never answers (a frozen process). */
async function hungS3(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('S3 calls against a hung server', () => {
  it('fail with a storage error once the socket is silent for the request timeout, instead of waiting forever', async () => {
    const endpoint = await hungS3();
    const client = createS3Client(
      { endpoint, region: 'us-east-1', bucket: 'b', accessKeyId: 'k', secretAccessKey: 's' },
      { requestTimeoutMs: 300 },
    );
    closers.push(async () => client.destroy());
    const store = new S3ObjectStore(client, 'b', { maxAttempts: 2, baseBackoffMs: 1, endpoint });

    const failure = await store.get('some/key').catch((error: unknown) => error);

    expect(isStorageError(failure)).toBe(true);
    expect((failure as Error).message).toMatch(
      /get s3:\/\/b\/some\/key at http:\/\/127\.0\.0\.1:\d+: .* after 2 attempt\(s\)/,
    );
  });
});
