/** A rough size in bytes of plain state (V8 layout guesses), for metrics only: cheap, not exact. */
export function approxBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (typeof value !== 'object' || value === null) return 8;
  if (depth > 6) return 64;
  let bytes = 32;
  if (value instanceof Set) for (const item of value) bytes += 16 + approxBytes(item, depth + 1);
  else if (value instanceof Map) {
    for (const [key, item] of value) bytes += 24 + approxBytes(key, depth + 1) + approxBytes(item, depth + 1);
  } else if (Array.isArray(value)) for (const item of value) bytes += 8 + approxBytes(item, depth + 1);
  else for (const item of Object.values(value)) bytes += 8 + approxBytes(item, depth + 1);
  return bytes;
}
