import { afterEach, describe, expect, it } from 'vitest';
import { CountingStore, requestsPerMinute } from '../../src/load/counting-store.ts';
import { tempStore } from './query-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('counting the store requests a run makes', () => {
  it('counts each operation as the S3 store issues it, and turns two snapshots into a rate', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const counting = new CountingStore(store);
    const before = counting.snapshot();

    await counting.put('a/1', Buffer.from('x'));
    await counting.putIfAbsent('a/2', Buffer.from('y'));
    expect(await counting.get('a/1')).toEqual(Buffer.from('x'));
    await counting.list('a/');
    await counting.deleteMany(['a/1', 'a/2']);

    const rates = requestsPerMinute(before, counting.snapshot(), 30_000);
    expect(rates).toEqual({
      put: 2,
      putIfAbsent: 2,
      get: 2,
      exists: 0,
      copy: 0,
      list: 2,
      delete: 4,
      total: 12,
    });
    expect(await store.list('a/')).toEqual([]); // the calls went through
  });
});
