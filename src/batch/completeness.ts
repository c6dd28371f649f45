/**
 * How far the speed layer is complete, per view, read from the JSON document any reader can read
 * (`realtime_views/<view>/_completeness.json`, docs/storage.md): `complete_through` is ISO-8601 or null.
 * Only that field is read, so the batch layer depends on the document, not on the processor's code.
 */
import type { ObjectStore } from '../storage/object-store.ts';
import { completenessKey, type BatchLayout } from './batch-layout.ts';

/** `complete_through` of each view as epoch ms; undefined when there is no document or it says null. */
export async function readCompleteThrough(
  store: ObjectStore,
  layout: BatchLayout,
  views: readonly string[],
): Promise<Map<string, number | undefined>> {
  const entries = await Promise.all(
    views.map(async (view): Promise<[string, number | undefined]> => {
      const key = completenessKey(layout, view);
      const body = await store.get(key);
      if (body === undefined) return [view, undefined];
      let document: { complete_through?: unknown };
      try {
        document = JSON.parse(body.toString('utf8')) as { complete_through?: unknown };
      } catch (error) {
        throw new Error(`batch: ${store.url}${key} is not JSON`, { cause: error });
      }
      const text = document.complete_through;
      const ms = typeof text === 'string' ? Date.parse(text) : NaN;
      return [view, Number.isNaN(ms) ? undefined : ms];
    }),
  );
  return new Map(entries);
}
