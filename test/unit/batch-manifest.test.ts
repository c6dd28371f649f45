import { describe, expect, it } from 'vitest';
import type { ArchiveUse } from '../../src/batch/archive-tables.ts';
import { DEFAULT_BATCH_LAYOUT, manifestKey } from '../../src/batch/batch-layout.ts';
import { isBatchError } from '../../src/batch/batch-error.ts';
import {
  emptyManifest,
  needsComputing,
  readManifest,
  withDay,
  writeManifest,
  type ViewDayEntry,
} from '../../src/batch/manifest.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { tempDir } from './temp-dir.ts';

const HOUR = 3_600_000;
const use = (fingerprint: string): ArchiveUse => ({ version: 3, files: 2, fingerprint });
const entry = (fingerprint: string): ViewDayEntry => ({
  computed_at: '2025-01-09T00:00:00.000Z',
  rows: 10,
  table_version: 0,
  margin_ms: HOUR,
  archive: { 'lms.auth': use(fingerprint) },
});

describe('the batch manifest', () => {
  it('records days in order and keeps the other views of a day when some are recomputed', () => {
    let manifest = withDay(emptyManifest(), '2025-01-07', { b_view: entry('x'), a_view: entry('x') });
    manifest = withDay(manifest, '2025-01-06', { a_view: entry('y') });
    manifest = withDay(manifest, '2025-01-07', { b_view: entry('z') });

    expect(Object.keys(manifest.days)).toEqual(['2025-01-06', '2025-01-07']);
    expect(Object.keys(manifest.days['2025-01-07']!)).toEqual(['a_view', 'b_view']);
    expect(manifest.days['2025-01-07']!.b_view!.archive['lms.auth']!.fingerprint).toBe('z');
  });

  it('asks for a day again when it is missing, its archive files changed, or it was made with another margin', () => {
    const manifest = withDay(emptyManifest(), '2025-01-07', { a_view: entry('x') });

    expect(needsComputing(manifest, '2025-01-07', 'a_view', { 'lms.auth': use('x') }, HOUR)).toBe(false);
    expect(needsComputing(manifest, '2025-01-07', 'a_view', { 'lms.auth': use('new') }, HOUR)).toBe(true);
    expect(needsComputing(manifest, '2025-01-07', 'a_view', { 'lms.auth': use('x') }, 2 * HOUR)).toBe(true);
    expect(needsComputing(manifest, '2025-01-07', 'b_view', { 'lms.auth': use('x') }, HOUR)).toBe(true);
    expect(needsComputing(manifest, '2025-01-08', 'a_view', { 'lms.auth': use('x') }, HOUR)).toBe(true);
  });

  it('is read back as written, empty when absent, and refused when it is not a manifest', async () => {
    const store = new FileObjectStore(tempDir('batch-manifest-'));
    expect(await readManifest(store, DEFAULT_BATCH_LAYOUT)).toEqual(emptyManifest());

    const manifest = withDay(emptyManifest(), '2025-01-07', { a_view: entry('x') });
    await writeManifest(store, DEFAULT_BATCH_LAYOUT, manifest);
    expect(await readManifest(store, DEFAULT_BATCH_LAYOUT)).toEqual(manifest);

    await store.put(manifestKey(DEFAULT_BATCH_LAYOUT), Buffer.from('{"days": 3}'));
    const error = await readManifest(store, DEFAULT_BATCH_LAYOUT).catch((thrown: unknown) => thrown);
    expect(isBatchError(error, 'corrupt_manifest')).toBe(true);
  });
});
