/**
 * Archive files as local paths DuckDB can read. A `file://` root is read in place. Any other store (S3)
 * is copied through the ObjectStore into a temporary directory, a few files at a time (each file is at
 * most 250,000 rows, a few MB), and the copies are deleted by `release` — the DuckDB httpfs extension
 * that would read S3 directly cannot be installed offline (docs/batch.md "Reading S3").
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileObjectStore } from '../storage/file-object-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';

/** Downloads in flight at once. */
const DOWNLOAD_CONCURRENCY = 4;

export interface LocalFiles {
  paths: string[];
  /** Bytes copied from a remote store (0 when read in place). */
  copiedBytes: number;
  release(): Promise<void>;
}

export async function localCopies(store: ObjectStore, keys: readonly string[]): Promise<LocalFiles> {
  if (store instanceof FileObjectStore) {
    const paths = keys.map((key) => join(store.rootDir, ...key.split('/')));
    return { paths, copiedBytes: 0, release: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'speed-layer-batch-'));
  const release = () => rm(dir, { recursive: true, force: true });
  const paths = keys.map((key) => join(dir, ...key.split('/')));
  let copiedBytes = 0;
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const index = next++;
        const body = await store.get(keys[index]!);
        if (body === undefined) throw new Error(`batch: archive file ${store.url}${keys[index]} is gone`);
        await mkdir(dirname(paths[index]!), { recursive: true });
        await writeFile(paths[index]!, body);
        copiedBytes += body.byteLength;
      }
    };
    await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, keys.length) }, worker));
  } catch (error) {
    await release();
    throw error;
  }
  return { paths, copiedBytes, release };
}
