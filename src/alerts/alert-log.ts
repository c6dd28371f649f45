/**
 * The alert log in the store: one JSON object per transition under
 * `alerts/date=<the episode's start date, UTC>/<transition id>.json`, written with a create-only put.
 * The id is a pure function of the rule, the key and the episode (alert-transition.ts), so a
 * transition is logged once whichever process, or which life of it, gets there first; only that one
 * delivers it to the webhooks. On start the latest transition of each (rule, key) rebuilds the state.
 */
import type { ObjectStore, PutIfAbsentResult } from '../storage/object-store.ts';
import type { AlertDocument } from './alert-document.ts';

export const DEFAULT_ALERTS_PREFIX = 'alerts/';

/** `<rule>.<keyId>.<sinceMs>.<state>` */
const NAME = /^([A-Za-z0-9_-]+)\.([0-9a-f]{16})\.(-?\d+)\.(firing|resolved)\.json$/;

export function logKey(document: AlertDocument, prefix = DEFAULT_ALERTS_PREFIX): string {
  return `${prefix}date=${document.since.slice(0, 10)}/${document.id}.json`;
}

export function logTransition(
  store: ObjectStore,
  document: AlertDocument,
  prefix = DEFAULT_ALERTS_PREFIX,
): Promise<PutIfAbsentResult> {
  return store.putIfAbsent(logKey(document, prefix), Buffer.from(`${JSON.stringify(document)}\n`, 'utf8'));
}

/**
 * The latest logged transition of each (rule, key) of `rules`: the newest episode, and its resolution
 * when it has one. Only the names are listed; one object is read per (rule, key).
 */
export async function latestLogged(
  store: ObjectStore,
  rules: ReadonlySet<string>,
  prefix = DEFAULT_ALERTS_PREFIX,
): Promise<AlertDocument[]> {
  const newest = new Map<string, { key: string; sinceMs: number; resolved: boolean }>();
  for (const key of await store.list(prefix)) {
    const match = NAME.exec(key.slice(key.lastIndexOf('/') + 1));
    if (match === null || !rules.has(match[1]!)) continue;
    const [, rule, keyId, since, state] = match;
    const entry = { key, sinceMs: Number(since), resolved: state === 'resolved' };
    const current = newest.get(`${rule}.${keyId}`);
    const later =
      current === undefined ||
      entry.sinceMs > current.sinceMs ||
      (entry.sinceMs === current.sinceMs && entry.resolved && !current.resolved);
    if (later) newest.set(`${rule}.${keyId}`, entry);
  }
  const documents: AlertDocument[] = [];
  for (const { key } of newest.values()) {
    const body = await store.get(key);
    if (body !== undefined) documents.push(JSON.parse(body.toString('utf8')) as AlertDocument);
  }
  return documents;
}
