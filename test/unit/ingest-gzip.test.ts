/** `Content-Encoding: gzip` bodies: decoded, and the body limit applies to the decoded bytes. */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync, type Gunzip } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { readIngestBody } from '../../src/ingest/read-ingest-body.ts';
import { wireValue } from '../fixtures/valid-events.ts';
import { post, startWithFakes } from './ingest-test-server.ts';

/** Every gunzip stream the code under test creates, to see how far it inflated. */
const gunzips = vi.hoisted(() => [] as Gunzip[]);
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>();
  return {
    ...zlib,
    createGunzip: (...args: Parameters<typeof zlib.createGunzip>) => {
      const gunzip = zlib.createGunzip(...args);
      gunzips.push(gunzip);
      return gunzip;
    },
  };
});

const MiB = 1024 * 1024;

describe('gzip request bodies', () => {
  it('decodes a gzip NDJSON body and produces its lines byte for byte', async () => {
    const { server, produced } = startWithFakes();
    const lines = [wireValue('logout'), wireValue('video_play', { video_id: 'v-☃' })];

    const response = await post(server, 'application/x-ndjson', gzipSync(lines.join('\n')), {
      'content-encoding': 'gzip',
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ accepted: 2, rejected: 0 });
    expect(produced.map((record) => record.value)).toEqual(lines.map((line) => Buffer.from(line)));
  });

  it('answers 413 to a gzip bomb and stops inflating at the limit', async () => {
    const { server, produced, deadLetters } = startWithFakes({ bodyLimitBytes: MiB });
    const bomb = gzipSync(Buffer.alloc(64 * MiB)); // about 64 KiB on the wire
    gunzips.length = 0;

    const response = await post(server, 'application/x-ndjson', bomb, { 'content-encoding': 'gzip' });

    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'body_too_large', limitBytes: MiB });
    expect(gunzips).toHaveLength(1);
    const [gunzip] = gunzips;
    await vi.waitFor(() => expect(gunzip!.destroyed).toBe(true), { timeout: 20_000 });
    // Zeros inflate about 1000:1, so consuming a quarter of the input would mean ~16 MiB inflated.
    expect(gunzip!.bytesWritten).toBeLessThan(bomb.length / 4);
    expect(produced).toEqual([]);
    expect(deadLetters).toEqual([]);
  });

  it('answers 400 to a body that is not valid gzip, storing nothing', async () => {
    const { server, produced, deadLetters } = startWithFakes();
    const truncated = gzipSync(wireValue('logout')).subarray(0, 20);

    const response = await post(server, 'application/x-ndjson', truncated, { 'content-encoding': 'gzip' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'bad_encoding' });
    expect(produced).toEqual([]);
    expect(deadLetters).toEqual([]);
  });

  it('answers 415 to a content encoding other than gzip', async () => {
    const { server } = startWithFakes();
    const response = await post(server, 'application/x-ndjson', wireValue('logout'), {
      'content-encoding': 'br',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: 'unsupported_encoding' });
  });

  it('counts the compressed bytes against the limit too, without a content-length', async () => {
    const incompressible = randomBytes(1000);
    const compressed = gzipSync(incompressible); // a little larger than what it decodes to
    const body = Readable.from([compressed]);

    const reading = readIngestBody(body, { 'content-encoding': 'gzip' }, 1000);

    await expect(reading).rejects.toMatchObject({ code: 'body_too_large', statusCode: 413 });
  });
});
