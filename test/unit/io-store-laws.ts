/**
 * Laws every ObjectStore must obey, applied to the file store (unit) and to S3 (integration):
 * `storeLaws(() => makeStore())` registers the tests.
 */
import { expect, it } from 'vitest';
import type { ObjectStore } from '../../src/storage/object-store.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

export function storeLaws(makeStore: () => Promise<ObjectStore>): void {
  it('returns what was put and undefined for a missing key', async () => {
    const store = await makeStore();
    await store.put('a/b/c.txt', bytes('one'));
    await store.put('a/b/c.txt', bytes('two'));
    expect((await store.get('a/b/c.txt'))?.toString()).toBe('two');
    expect(await store.get('a/b/missing.txt')).toBeUndefined();
    expect(await store.exists('a/b/c.txt')).toBe(true);
    expect(await store.exists('a/b/missing.txt')).toBe(false);
  });

  it('creates with putIfAbsent once and reports exists afterwards without overwriting', async () => {
    const store = await makeStore();
    expect(await store.putIfAbsent('commits/1.ckpt', bytes('first'))).toBe('created');
    expect(await store.putIfAbsent('commits/1.ckpt', bytes('second'))).toBe('exists');
    expect((await store.get('commits/1.ckpt'))?.toString()).toBe('first');
  });

  it('lets exactly one of many concurrent putIfAbsent calls on one key win', async () => {
    const store = await makeStore();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, writer) => store.putIfAbsent('race/key', bytes(`writer ${writer}`))),
    );
    expect(results.filter((result) => result === 'created')).toHaveLength(1);
    const winner = results.indexOf('created');
    expect((await store.get('race/key'))?.toString()).toBe(`writer ${winner}`);
  });

  it('lists every key under a prefix, sorted, and nothing outside it', async () => {
    const store = await makeStore();
    const keys = ['p/x/2', 'p/x/1', 'p/y/deep/3', 'px/other', 'q/4'];
    for (const key of keys) await store.put(key, bytes(key));
    expect(await store.list('p/')).toEqual(['p/x/1', 'p/x/2', 'p/y/deep/3']);
    expect(await store.list('p/x/')).toEqual(['p/x/1', 'p/x/2']);
    expect(await store.list('nothing/')).toEqual([]);
  });

  it('copies an object and reports a missing source', async () => {
    const store = await makeStore();
    await store.put('src/file.bin', bytes('payload'));
    expect(await store.copy('src/file.bin', 'dst/sub/file.bin')).toBe('copied');
    expect((await store.get('dst/sub/file.bin'))?.toString()).toBe('payload');
    expect(await store.copy('src/none.bin', 'dst/none.bin')).toBe('missing');
    expect(await store.exists('dst/none.bin')).toBe(false);
  });

  it('deletes many keys, ignoring keys that do not exist', async () => {
    const store = await makeStore();
    for (let index = 0; index < 20; index += 1) await store.put(`del/${index}`, bytes('x'));
    await store.deleteMany([...Array.from({ length: 20 }, (_, index) => `del/${index}`), 'del/never']);
    expect(await store.list('del/')).toEqual([]);
  });

  it('lists and deletes more keys than one S3 page holds', async () => {
    const store = await makeStore();
    const keys = Array.from({ length: 1005 }, (_, index) => `many/${String(index).padStart(4, '0')}`);
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(keys.slice(start, start + 50).map((key) => store.put(key, bytes('v'))));
    }
    expect(await store.list('many/')).toEqual(keys);
    await store.deleteMany(keys);
    expect(await store.list('many/')).toEqual([]);
  });
}
