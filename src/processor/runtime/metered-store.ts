/**
 * The object store of a `run` process, counting its requests by operation in
 * `speed_layer_object_store_requests_total` (what a deployment pays S3 for, per instance). Counted as
 * src/load/counting-store.ts counts: a `list` once (one page per 1,000 keys), a `deleteMany` once per key
 * (the S3 store deletes one object per request); the S3 store's own retries are not seen here.
 */
import type { Counter } from 'prom-client';
import type { ObjectStore } from '../../storage/object-store.ts';

export function meteredStore(inner: ObjectStore, requests: Counter<'operation'>): ObjectStore {
  const count = (operation: string, n = 1): void => {
    if (n > 0) requests.inc({ operation }, n);
  };
  return {
    get url() {
      return inner.url;
    },
    put(key, body) {
      count('put');
      return inner.put(key, body);
    },
    putIfAbsent(key, body) {
      count('putIfAbsent');
      return inner.putIfAbsent(key, body);
    },
    get(key) {
      count('get');
      return inner.get(key);
    },
    exists(key) {
      count('exists');
      return inner.exists(key);
    },
    copy(fromKey, toKey) {
      count('copy');
      return inner.copy(fromKey, toKey);
    },
    list(prefix) {
      count('list');
      return inner.list(prefix);
    },
    deleteMany(keys) {
      count('delete', keys.length);
      return inner.deleteMany(keys);
    },
  };
}
