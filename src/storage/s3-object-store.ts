/**
 * ObjectStore over S3 (AWS, MinIO, S3Proxy...). putIfAbsent is PutObject with `If-None-Match: *` (412 means
 * another writer created the key first). Throttling, 5xx and network errors are retried with exponential
 * backoff and jitter on top of the SDK's own retries; every failure surfaces as one StorageError.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertValidKey, type CopyResult, type ObjectStore, type PutIfAbsentResult } from './object-store.ts';
import { StorageError } from './storage-error.ts';

export interface S3StoreOptions {
  /** Key prefix inside the bucket that acts as the root (tests use a random one); default ''. */
  rootPrefix?: string;
  /** Attempts per call, including the first; default 5. */
  maxAttempts?: number;
  /** First backoff; doubles per attempt, with full jitter; default 100 ms. */
  baseBackoffMs?: number;
  /** Where the store is (an endpoint URL, or AWS and its region), for error messages. */
  endpoint?: string;
}

interface S3ErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'TooManyRequests',
]);
/** Deletes run one request per key, this many at a time (DeleteObjects needs checksums some servers reject). */
const DELETE_CONCURRENCY = 16;

function statusOf(error: unknown): number | undefined {
  return (error as S3ErrorShape | undefined)?.$metadata?.httpStatusCode;
}

function nameOf(error: unknown): string {
  const shape = error as S3ErrorShape | undefined;
  return shape?.name ?? shape?.code ?? 'Error';
}

/** Without an HTTP answer: what the network said (e.g. ECONNREFUSED), from the error or its causes. */
function causeOf(error: unknown): string {
  const codes = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > 3) return;
    const { code, errors, cause } = value as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.add(code);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
    visit(cause, depth + 1);
  };
  visit(error, 0);
  return codes.size === 0 ? '' : ` (${[...codes].join(', ')})`;
}

function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status === undefined) return true; // no HTTP answer at all: network error, timeout
  // 409 is AWS's answer to a conditional write racing another one on the same key: retry decides it.
  return status >= 500 || status === 429 || status === 409 || THROTTLING.has(nameOf(error));
}

function isNotFound(error: unknown): boolean {
  const name = nameOf(error);
  return statusOf(error) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  private readonly rootPrefix: string;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly endpoint: string | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3StoreOptions = {},
  ) {
    const root = options.rootPrefix ?? '';
    this.rootPrefix = root === '' || root.endsWith('/') ? root : `${root}/`;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseBackoffMs = options.baseBackoffMs ?? 100;
    this.endpoint = options.endpoint;
    if (this.maxAttempts < 1)
      throw new Error(`S3ObjectStore: maxAttempts must be >= 1, got ${this.maxAttempts}`);
    this.url = `s3://${bucket}/${this.rootPrefix}`;
  }

  private fullKey(key: string): string {
    assertValidKey(key);
    return this.rootPrefix + key;
  }

  /** Runs `call`, retrying retryable failures; `expected` turns known answers (404, 412) into results. */
  private async send<T>(
    operation: string,
    key: string,
    call: () => Promise<T>,
    expected?: (error: unknown) => T | undefined,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const answer = expected?.(error);
        if (answer !== undefined) return answer;
        if (!isRetryable(error) || attempt >= this.maxAttempts)
          throw this.wrap(operation, key, error, attempt);
        await sleep(Math.random() * this.baseBackoffMs * 2 ** (attempt - 1));
      }
    }
  }

  private wrap(operation: string, key: string, error: unknown, attempts: number): StorageError {
    const status = statusOf(error);
    const name = nameOf(error);
    const at = this.endpoint === undefined ? '' : ` at ${this.endpoint}`;
    const answer = status === undefined ? causeOf(error) : ` (HTTP ${status})`;
    const message = `${operation} ${this.url}${key}${at}: ${name}${answer} after ${attempts} attempt(s)`;
    if (name === 'NoSuchBucket') return new StorageError('no_such_root', message, { cause: error });
    if (status === 401 || status === 403) return new StorageError('access_denied', message, { cause: error });
    if (isRetryable(error))
      return new StorageError('unavailable', message, { cause: error, retryable: true });
    return new StorageError('request_failed', message, { cause: error });
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const Key = this.fullKey(key);
    await this.send('put', key, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body })),
    );
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<PutIfAbsentResult> {
    const Key = this.fullKey(key);
    return this.send<PutIfAbsentResult>(
      'putIfAbsent',
      key,
      async () => {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, IfNoneMatch: '*' }),
        );
        return 'created';
      },
      (error) => (statusOf(error) === 412 || nameOf(error) === 'PreconditionFailed' ? 'exists' : undefined),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    const Key = this.fullKey(key);
    const found = await this.send<Buffer | null>(
      'get',
      key,
      async () => {
        const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        const bytes = (await answer.Body?.transformToByteArray()) ?? new Uint8Array();
        // A view, not a copy: the array is this answer's own (a copy zero-fills and copies every body).
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      (error) => (isNotFound(error) ? null : undefined),
    );
    return found ?? undefined;
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.fullKey(key);
    return this.send(
      'exists',
      key,
      async () => {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        return true;
      },
      (error) => (isNotFound(error) ? false : undefined),
    );
  }

  async copy(fromKey: string, toKey: string): Promise<CopyResult> {
    const source = `${this.bucket}/${this.fullKey(fromKey).split('/').map(encodeURIComponent).join('/')}`;
    const Key = this.fullKey(toKey);
    return this.send<CopyResult>(
      'copy',
      fromKey,
      async () => {
        await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key, CopySource: source }));
        return 'copied';
      },
      (error) => (isNotFound(error) ? 'missing' : undefined),
    );
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.send('list', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.rootPrefix + prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) keys.push(object.Key.slice(this.rootPrefix.length));
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_CONCURRENCY) {
      const batch = keys.slice(start, start + DELETE_CONCURRENCY);
      await Promise.all(
        batch.map((key) => {
          const Key = this.fullKey(key);
          return this.send('delete', key, () =>
            this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
          );
        }),
      );
    }
  }
}
