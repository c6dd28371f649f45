/**
 * Reads a POST body off the socket, gunzipped when `Content-Encoding: gzip`, never keeping more than the
 * body limit: counted on the bytes received and on the decoded bytes, so a gzip bomb stops inflating one
 * chunk (16 KiB) past the limit instead of expanding to whatever it holds. Each failure is the client's
 * and says which: too large (413), another encoding (415), not gzip (400), upload cut short (400, though
 * no one is left to read it). The request stream itself is never destroyed: that would close the socket
 * before the answer is written.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { finished, type Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

export const BODY_ERROR_CODES = [
  'body_too_large',
  'unsupported_encoding',
  'bad_encoding',
  'aborted',
] as const;
export type BodyErrorCode = (typeof BODY_ERROR_CODES)[number];

const STATUS_OF: Record<BodyErrorCode, number> = {
  body_too_large: 413,
  unsupported_encoding: 415,
  bad_encoding: 400,
  aborted: 400,
};

export class IngestBodyError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: BodyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IngestBodyError';
    this.statusCode = STATUS_OF[code];
  }
}

function tooLarge(limitBytes: number): IngestBodyError {
  return new IngestBodyError(
    'body_too_large',
    `body is over the ${limitBytes}-byte limit (a gzip body counts decoded): split it into smaller requests`,
  );
}

function cutShort(cause: unknown): IngestBodyError {
  return new IngestBodyError('aborted', 'the body did not arrive completely', { cause });
}

/** True for gzip, false for none; others are refused rather than read as text. */
function isGzip(header: string | undefined): boolean {
  const encoding = (header ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return false;
  if (encoding === 'gzip' || encoding === 'x-gzip') return true;
  const got = JSON.stringify((header ?? '').slice(0, 40));
  throw new IngestBodyError('unsupported_encoding', `content encoding must be gzip or none, got ${got}`);
}

/** `raw` through a gunzip that also ends, with an error, when `raw` brings more than the limit or fails. */
function gunzipped(raw: Readable, limitBytes: number): Gunzip {
  const gunzip = createGunzip();
  let receivedBytes = 0;
  raw.on('data', (chunk: Buffer) => {
    receivedBytes += chunk.length;
    if (receivedBytes > limitBytes) gunzip.destroy(tooLarge(limitBytes));
  });
  // pipe() passes on no errors: an upload cut short must end the gunzip too.
  finished(raw, (error) => {
    if (error) gunzip.destroy(cutShort(error));
  });
  raw.pipe(gunzip);
  return gunzip;
}

/** The whole body, decoded; rejects with an IngestBodyError. */
export async function readIngestBody(
  raw: Readable,
  headers: IncomingHttpHeaders,
  limitBytes: number,
): Promise<Buffer> {
  if (Number(headers['content-length']) > limitBytes) throw tooLarge(limitBytes);
  const gzip = isGzip(headers['content-encoding']);
  // Leaving the loop early destroys the gunzip (nothing more is inflated), not the request.
  const decoded = gzip ? gunzipped(raw, limitBytes) : raw.iterator({ destroyOnReturn: false });
  const chunks: Buffer[] = [];
  let decodedBytes = 0;
  try {
    for await (const chunk of decoded as AsyncIterable<Buffer>) {
      decodedBytes += chunk.length;
      if (decodedBytes > limitBytes) throw tooLarge(limitBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof IngestBodyError) throw error;
    if (!gzip) throw cutShort(error);
    throw new IngestBodyError('bad_encoding', `body is not valid gzip (${(error as Error).message})`, {
      cause: error,
    });
  }
  return Buffer.concat(chunks, decodedBytes);
}
