import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { storeLaws } from './io-store-laws.ts';

const roots: string[] = [];

async function makeStore(): Promise<FileObjectStore> {
  const root = await mkdtemp(join(tmpdir(), 'io-file-store-'));
  roots.push(root);
  return new FileObjectStore(root);
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

describe('FileObjectStore', () => {
  storeLaws(makeStore);

  it('names its root as a file:// URL', async () => {
    const store = await makeStore();
    expect(store.url).toMatch(/^file:\/\/\/.*\/$/);
  });

  it('never lists its own temp files, so a half-written file is invisible', async () => {
    const store = await makeStore();
    await mkdir(join(store.rootDir, 'v'), { recursive: true });
    await writeFile(join(store.rootDir, 'v', '.abc123.tmp'), 'partial');
    await store.put('v/real.parquet', Buffer.from('done'));
    expect(await store.list('v/')).toEqual(['v/real.parquet']);
  });

  it('removes directories left empty by deletes', async () => {
    const store = await makeStore();
    await store.put('staging/000001-w/a/b.parquet', Buffer.from('x'));
    await store.deleteMany(['staging/000001-w/a/b.parquet']);
    expect(await readdir(store.rootDir)).toEqual([]);
  });

  it('rejects keys that could escape the root', async () => {
    const store = await makeStore();
    await expect(store.put('../outside', Buffer.from('x'))).rejects.toThrow(/invalid key/);
    await expect(store.get('/abs')).rejects.toThrow(/invalid key/);
  });
});
