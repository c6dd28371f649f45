/**
 * The few object-store operations the speed layer needs, over S3 or a local `file://` root with the same
 * layout (docs/contract/semantics.md, "Storage layout"). Keys are relative to the root and use `/` separators.
 */
export type PutIfAbsentResult = 'created' | 'exists';
export type CopyResult = 'copied' | 'missing';

export interface ObjectStore {
  /** Where the root is, e.g. `s3://bucket-0/` or `file:///tmp/lake/`; for messages and logs. */
  readonly url: string;
  /** Writes the whole object; readers see either the old or the new content, never a part. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Writes only if no object has the key (atomic create); `exists` if another writer got there first. */
  putIfAbsent(key: string, body: Uint8Array): Promise<PutIfAbsentResult>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  exists(key: string): Promise<boolean>;
  /** Server-side copy where the store has one; `missing` when the source does not exist. */
  copy(fromKey: string, toKey: string): Promise<CopyResult>;
  /** Every key starting with `prefix`, all pages, sorted ascending (byte order). */
  list(prefix: string): Promise<string[]>;
  /** Deletes the keys; keys that do not exist are not an error. */
  deleteMany(keys: readonly string[]): Promise<void>;
}

export function deleteObject(store: ObjectStore, key: string): Promise<void> {
  return store.deleteMany([key]);
}

/** Throws on keys that could escape the root or are not plain relative paths. */
export function assertValidKey(key: string): void {
  const bad =
    key.length === 0 ||
    key.startsWith('/') ||
    key.endsWith('/') ||
    key.includes('\\') ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..');
  if (bad) throw new Error(`object-store: invalid key ${JSON.stringify(key)}`);
}
