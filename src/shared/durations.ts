/**
 * Durations and counts as people write them (docs/contract/record-files-and-dumps.md: `120000ms`, `120s`, `2m`, `1h`). Pure parsers
 * that throw a plain Error with the bad text; the CLI and the settings wrap the message their own way.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 120000ms, 120s, 2m, 1h)`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (!Number.isSafeInteger(ms)) throw new Error(`"${text}" is not a whole number of milliseconds`);
  return ms;
}

export function parsePositiveInt(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`"${text}" is not a positive integer`);
  return value;
}

export function parseFraction(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`"${text}" is not a fraction between 0 and 1`);
  }
  return value;
}
