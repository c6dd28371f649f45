import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openQueryStore } from '../../src/processor/query/open-store.ts';
import { resolveSettings } from '../../src/processor/runtime/settings.ts';
import { tempDir } from './temp-dir.ts';

describe('the store a query reads', () => {
  const settings = resolveSettings({ env: {} });

  it('is refused when a file:// root does not exist, instead of answering with no rows', async () => {
    await expect(openQueryStore('file:///nonexistent/lms-root', settings)).rejects.toThrow(
      '--root file:///nonexistent/lms-root: /nonexistent/lms-root does not exist',
    );
  });

  it('is a file store when the file:// root exists', async () => {
    const root = tempDir('query-root-');
    const store = await openQueryStore(pathToFileURL(root).href, settings);
    expect(await store.list('realtime_views/')).toEqual([]);
  });
});
