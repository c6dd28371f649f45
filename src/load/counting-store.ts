/**
 * An object store that counts the requests it passes on, by operation: what a deployment pays S3 for.
 * A `list` counts once (one page per 1,000 keys is what S3 bills; our prefixes rarely hold more), a
 * `deleteMany` once per key (the S3 store deletes one object per request, docs/storage.md "Object
 * store"). Retries inside the S3 store are not seen here.
 */
import type { ObjectStore } from '../storage/object-store.ts';

export type StoreOperation = 'put' | 'putIfAbsent' | 'get' | 'exists' | 'copy' | 'list' | 'delete';

export class CountingStore implements ObjectStore {
  readonly counts = new Map<StoreOperation, number>();

  constructor(private readonly inner: ObjectStore) {}

  get url(): string {
    return this.inner.url;
  }

  /** The counts so far (a copy, for differences between two moments). */
  snapshot(): Map<StoreOperation, number> {
    return new Map(this.counts);
  }

  private count(operation: StoreOperation, n = 1): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + n);
  }

  put(key: string, body: Uint8Array): Promise<void> {
    this.count('put');
    return this.inner.put(key, body);
  }
  putIfAbsent(key: string, body: Uint8Array) {
    this.count('putIfAbsent');
    return this.inner.putIfAbsent(key, body);
  }
  get(key: string) {
    this.count('get');
    return this.inner.get(key);
  }
  exists(key: string) {
    this.count('exists');
    return this.inner.exists(key);
  }
  copy(fromKey: string, toKey: string) {
    this.count('copy');
    return this.inner.copy(fromKey, toKey);
  }
  list(prefix: string) {
    this.count('list');
    return this.inner.list(prefix);
  }
  deleteMany(keys: readonly string[]) {
    this.count('delete', keys.length);
    return this.inner.deleteMany(keys);
  }
}

/** Requests per minute by operation between two snapshots `elapsedMs` apart (and their total). */
export function requestsPerMinute(
  from: ReadonlyMap<StoreOperation, number>,
  to: ReadonlyMap<StoreOperation, number>,
  elapsedMs: number,
): Record<StoreOperation | 'total', number> {
  const rates = {} as Record<StoreOperation | 'total', number>;
  let total = 0;
  for (const operation of ['put', 'putIfAbsent', 'get', 'exists', 'copy', 'list', 'delete'] as const) {
    const n = (to.get(operation) ?? 0) - (from.get(operation) ?? 0);
    total += n;
    rates[operation] = Math.round((n / elapsedMs) * 60_000);
  }
  rates.total = Math.round((total / elapsedMs) * 60_000);
  return rates;
}
