/**
 * A rough size in bytes of plain state (V8 layout guesses), for metrics only: cheap, not exact. A large
 * collection is estimated from its first SAMPLE items: walking every item of every view's state took a
 * job's loop 100 ms and more every refresh at 10,000 events/s.
 */
const SAMPLE = 32;

export function approxBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (typeof value !== 'object' || value === null) return 8;
  if (depth > 6) return 64;
  if (value instanceof Set)
    return 32 + sampled(value, value.size, (item) => 16 + approxBytes(item, depth + 1));
  if (value instanceof Map) {
    const entry = ([key, item]: [unknown, unknown]) =>
      24 + approxBytes(key, depth + 1) + approxBytes(item, depth + 1);
    return 32 + sampled(value, value.size, entry);
  }
  if (Array.isArray(value))
    return 32 + sampled(value, value.length, (item) => 8 + approxBytes(item, depth + 1));
  let bytes = 32;
  for (const item of Object.values(value)) bytes += 8 + approxBytes(item, depth + 1);
  return bytes;
}

/** The sum of `sizeOf` over the items, from the first SAMPLE of them scaled up to `count`. */
function sampled<T>(items: Iterable<T>, count: number, sizeOf: (item: T) => number): number {
  let bytes = 0;
  let seen = 0;
  for (const item of items) {
    bytes += sizeOf(item);
    if (++seen === SAMPLE) break;
  }
  return seen === 0 ? 0 : (bytes / seen) * count;
}
